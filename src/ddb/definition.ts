import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { TableDefinition } from '../aws/dynamodb.js';
import { DEFAULT_PATHS, type ProjectConfig } from '../core/config.js';
import { CruddurError } from '../core/errors.js';

/**
 * The bootcamp's messages table (its `bin/ddb/schema-load`): `cruddur-messages`, key pk (HASH) + sk (RANGE),
 * and the global index `message-group-sk-index` on message_group_uuid + sk, everything projected,
 * provisioned at 5/5 like the original.
 */
export const DEFAULT_TABLE_DEFINITION: TableDefinition = {
  TableName: 'cruddur-messages',
  AttributeDefinitions: [
    { AttributeName: 'message_group_uuid', AttributeType: 'S' },
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
  GlobalSecondaryIndexes: [
    {
      IndexName: 'message-group-sk-index',
      KeySchema: [
        { AttributeName: 'message_group_uuid', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
      ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
    },
  ],
  BillingMode: 'PROVISIONED',
  ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
};

export interface LoadedDefinition {
  definition: TableDefinition;
  /** The file it came from (relative to the project), or "built-in". */
  source: string;
}

/**
 * The table definition: the file at `ddbSchema` (cruddur.json) when it exists, else the built-in messages
 * table. A path set in cruddur.json that does not exist is an error (an explicit setting is never replaced).
 */
export async function loadTableDefinition(project: Pick<ProjectConfig, 'paths' | 'resolve'>): Promise<LoadedDefinition> {
  const relative = project.paths.ddbSchema;
  const file = project.resolve(relative);
  if (!existsSync(file)) {
    if (relative === DEFAULT_PATHS.ddbSchema) return { definition: DEFAULT_TABLE_DEFINITION, source: 'built-in' };
    throw new CruddurError(`The DynamoDB table definition ${relative} (ddbSchema in cruddur.json) does not exist`, {
      suggestion: `create it (a CreateTable input as JSON, see docs/ddb.md), or remove "ddbSchema" from cruddur.json to use the built-in messages table`,
      code: 'DDB_NO_DEFINITION',
    });
  }
  return { definition: parseTableDefinition(await readFile(file, 'utf8'), relative), source: relative };
}

/** Checks the parts cruddur relies on (TableName, KeySchema); DynamoDB validates the rest. */
export function parseTableDefinition(text: string, file: string): TableDefinition {
  const bad = (problem: string) =>
    new CruddurError(`${file}: ${problem}`, {
      suggestion: 'write a CreateTable input as JSON (TableName, AttributeDefinitions, KeySchema, ...), e.g. from `aws dynamodb create-table --generate-cli-skeleton`',
      code: 'DDB_BAD_DEFINITION',
    });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw bad(`not valid JSON (${(error as Error).message})`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw bad('must be a JSON object');
  const d = data as Record<string, unknown>;
  if (typeof d.TableName !== 'string' || d.TableName === '') throw bad('"TableName" must be a non-empty string');
  if (!Array.isArray(d.KeySchema) || d.KeySchema.length === 0) throw bad('"KeySchema" must list the key attributes');
  return d as unknown as TableDefinition;
}
