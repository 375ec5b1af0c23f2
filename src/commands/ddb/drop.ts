import { Args } from '@oclif/core';
import { yesFlag } from '../../db-base-command.js';
import { DdbCommand, ddbTargetFlags } from '../../ddb-base-command.js';
import type { DropResult } from '../../ddb/ddb.js';

export default class DdbDrop extends DdbCommand {
  static override summary = 'Delete a DynamoDB table and wait until it is gone.';
  static override description = 'The bootcamp\'s bin/ddb/drop. Without a name, the table of the definition (cruddur-messages by default). A table that does not exist is reported, not an error.';

  static override examples = [
    { description: 'Drop the messages table locally', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Another table', command: '<%= config.bin %> <%= command.id %> my-table' },
  ];

  static override args = {
    table: Args.string({ ignoreStdin: true, description: 'Table name (default: the definition\'s TableName).' }),
  };

  static override flags = { ...ddbTargetFlags, ...yesFlag };

  async run(): Promise<DropResult> {
    const { args, flags } = await this.parse(DdbDrop);
    const [{ loadTableDefinition }, { dropTable }] = await Promise.all([import('../../ddb/definition.js'), import('../../ddb/ddb.js')]);
    const name = args.table ?? ((await loadTableDefinition(this.project(flags))).definition.TableName as string);
    const { store, target } = await this.dynamo(flags);
    await this.confirmProd(flags, target, 'Delete', name);
    const result = await dropTable(store, name);
    this.log(result.dropped ? `Table ${name} deleted (${target.display})` : `Table ${name} does not exist (${target.display}); nothing to do`);
    return result;
  }
}
