import { Flags } from '@oclif/core';
import { yesFlag } from '../../db-base-command.js';
import { DdbCommand, ddbTargetFlags } from '../../ddb-base-command.js';
import type { SchemaLoadResult } from '../../ddb/ddb.js';

export default class DdbSchemaLoad extends DdbCommand {
  static override summary = 'Create the DynamoDB table and wait until it is ACTIVE.';
  static override description = `The bootcamp's bin/ddb/schema-load. The table definition is a CreateTable input as JSON at "ddbSchema" in
cruddur.json (default backend-flask/db/ddb-schema.json); without that file, the bootcamp's messages table
(cruddur-messages, key pk/sk, global index message-group-sk-index). An existing table is kept, items and all,
unless --recreate. Works on the local stack's DynamoDB (started on demand) unless --prod.`;

  static override examples = [
    { description: 'Create the messages table locally', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Start over with an empty table', command: '<%= config.bin %> <%= command.id %> --recreate' },
    { description: 'In production (asks for the table name)', command: '<%= config.bin %> <%= command.id %> --prod' },
  ];

  static override flags = {
    ...ddbTargetFlags,
    ...yesFlag,
    recreate: Flags.boolean({ description: 'Delete the table first if it exists (its items are lost).' }),
  };

  async run(): Promise<SchemaLoadResult> {
    const { flags } = await this.parse(DdbSchemaLoad);
    const [{ loadTableDefinition }, { schemaLoad }] = await Promise.all([import('../../ddb/definition.js'), import('../../ddb/ddb.js')]);
    const loaded = await loadTableDefinition(this.project(flags));
    const { store, target } = await this.dynamo(flags);
    const table = loaded.definition.TableName as string;
    await this.confirmProd(flags, target, flags.recreate ? 'Delete and recreate' : 'Create', table);
    const result = await schemaLoad(store, loaded, { recreate: flags.recreate }, this.logger(flags));
    const indexes = result.indexes.length > 0 ? `, index ${result.indexes.join(', ')}` : '';
    const verb = { created: 'created', recreated: 'recreated (empty)', kept: 'already exists; kept as it is (--recreate starts over)' }[result.action];
    this.log(`Table ${result.table} ${verb}: ${result.status}${indexes} (definition: ${result.source}; ${target.display})`);
    return result;
  }
}
