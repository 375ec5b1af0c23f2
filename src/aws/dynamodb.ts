import type { AttributeValue, CreateTableCommandInput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CruddurError } from '../core/errors.js';
import { fromAwsError } from './errors.js';
import { loadSdk } from './sdk.js';

/** One item in DynamoDB JSON: attribute name -> AttributeValue ({"S": "x"}, {"N": "1"}, ...). */
export type DynamoItem = Record<string, AttributeValue>;

/** A CreateTable request as JSON (the shape of `aws dynamodb create-table --cli-input-json`). */
export type TableDefinition = CreateTableCommandInput;

export interface TableInfo {
  name: string;
  /** CREATING | ACTIVE | DELETING | UPDATING | ... */
  status: string;
  /** DynamoDB's estimate (updated about every six hours on AWS; exact on dynalite). */
  itemCount: number;
  /** The primary key's attribute names: HASH first, then RANGE when there is one. */
  key: string[];
  /** Global and local secondary index names. */
  indexes: string[];
  /** The declared type (S, N or B) of each key attribute of the table and its indexes (AttributeDefinitions). */
  attributeTypes: Record<string, string>;
}

export interface ScanPage {
  items: DynamoItem[];
  /** Set when there is another page (Scan's LastEvaluatedKey). */
  next: DynamoItem | undefined;
}

/** The narrow DynamoDB surface the `ddb` service uses; tests run it against dynalite. */
export interface DynamoStore {
  /** Every table name (ListTables, all pages). */
  listTables(): Promise<string[]>;
  /** DescribeTable; undefined when the table does not exist. */
  describeTable(name: string): Promise<TableInfo | undefined>;
  createTable(definition: TableDefinition): Promise<void>;
  /** DeleteTable; false when the table did not exist. */
  deleteTable(name: string): Promise<boolean>;
  /**
   * One BatchWriteItem of PutRequests (at most 25 items, no two with the same key: DynamoDB's limits).
   * Returns the items DynamoDB left unprocessed (UnprocessedItems), to be sent again by the caller.
   */
  putBatch(table: string, items: DynamoItem[]): Promise<DynamoItem[]>;
  /** One Scan page (at most `limit` items, or 1 MB as DynamoDB decides). */
  scanPage(table: string, options: { limit?: number; start?: DynamoItem }): Promise<ScanPage>;
}

/** The largest BatchWriteItem: 25 put or delete requests (DynamoDB API reference, BatchWriteItem). */
export const BATCH_WRITE_LIMIT = 25;

const isNotFound = (error: unknown) => (error as { name?: string }).name === 'ResourceNotFoundException';

export function createDynamoStore(client: DynamoDBClient): DynamoStore {
  const sdk = loadSdk<typeof import('@aws-sdk/client-dynamodb')>('@aws-sdk/client-dynamodb');
  return {
    async listTables() {
      const { ListTablesCommand } = sdk;
      const names: string[] = [];
      let start: string | undefined;
      do {
        const page = await client.send(new ListTablesCommand({ ExclusiveStartTableName: start })).catch((error: unknown) => {
          throw fromAwsError(error, 'list the DynamoDB tables');
        });
        names.push(...(page.TableNames ?? []));
        start = page.LastEvaluatedTableName;
      } while (start);
      return names;
    },

    async describeTable(name) {
      const { DescribeTableCommand } = sdk;
      try {
        const { Table: t } = await client.send(new DescribeTableCommand({ TableName: name }));
        const keys = [...(t?.KeySchema ?? [])].sort((a, b) => (a.KeyType === 'HASH' ? -1 : b.KeyType === 'HASH' ? 1 : 0));
        return {
          name,
          status: t?.TableStatus ?? 'UNKNOWN',
          itemCount: t?.ItemCount ?? 0,
          key: keys.map((k) => k.AttributeName ?? ''),
          indexes: [...(t?.GlobalSecondaryIndexes ?? []), ...(t?.LocalSecondaryIndexes ?? [])].map((i) => i.IndexName ?? ''),
          attributeTypes: Object.fromEntries((t?.AttributeDefinitions ?? []).map((d) => [d.AttributeName ?? '', String(d.AttributeType ?? '')])),
        };
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw fromAwsError(error, `describe DynamoDB table ${name}`);
      }
    },

    async createTable(definition) {
      const { CreateTableCommand } = sdk;
      await client.send(new CreateTableCommand(definition)).catch((error: unknown) => {
        const e = error as { name?: string; message?: string };
        if (e.name === 'ValidationException') {
          throw new CruddurError(`DynamoDB rejected the table definition of ${definition.TableName}: ${e.message ?? ''}`, {
            suggestion: 'fix the definition file (a CreateTable input, see docs/ddb.md)',
            code: 'DDB_BAD_DEFINITION',
            cause: error,
          });
        }
        throw fromAwsError(error, `create DynamoDB table ${definition.TableName}`);
      });
    },

    async deleteTable(name) {
      const { DeleteTableCommand } = sdk;
      try {
        await client.send(new DeleteTableCommand({ TableName: name }));
        return true;
      } catch (error) {
        if (isNotFound(error)) return false;
        throw fromAwsError(error, `delete DynamoDB table ${name}`);
      }
    },

    async putBatch(table, items) {
      const { BatchWriteItemCommand } = sdk;
      const result = await client
        .send(new BatchWriteItemCommand({ RequestItems: { [table]: items.map((Item) => ({ PutRequest: { Item } })) } }))
        .catch((error: unknown) => {
          if (isNotFound(error)) {
            throw new CruddurError(`DynamoDB table ${table} does not exist`, { suggestion: 'create it first with `cruddur ddb schema-load`', code: 'DDB_NO_TABLE', cause: error });
          }
          throw fromAwsError(error, `write items to DynamoDB table ${table}`);
        });
      return (result.UnprocessedItems?.[table] ?? []).flatMap((r) => (r.PutRequest?.Item ? [r.PutRequest.Item] : []));
    },

    async scanPage(table, options) {
      const { ScanCommand } = sdk;
      try {
        const page = await client.send(new ScanCommand({ TableName: table, Limit: options.limit, ExclusiveStartKey: options.start }));
        return { items: page.Items ?? [], next: page.LastEvaluatedKey };
      } catch (error) {
        if (isNotFound(error)) {
          throw new CruddurError(`DynamoDB table ${table} does not exist`, { suggestion: 'list the tables with `cruddur ddb list-tables`, or create it with `cruddur ddb schema-load`', code: 'DDB_NO_TABLE', cause: error });
        }
        throw fromAwsError(error, `scan DynamoDB table ${table}`);
      }
    },
  };
}
