import { DdbCommand, ddbTargetFlags } from '../../ddb-base-command.js';
import { renderTable } from '../../core/table.js';
import type { ListedTable } from '../../ddb/ddb.js';

export default class DdbListTables extends DdbCommand {
  static override summary = 'List the DynamoDB tables with their status.';
  static override description = 'The bootcamp\'s bin/ddb/list-tables. The item count is DescribeTable\'s ItemCount, an estimate AWS refreshes about every six hours; `ddb scan` counts exactly.';
  static override examples = [
    { description: 'Local tables', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Production tables as JSON', command: '<%= config.bin %> <%= command.id %> --prod --json' },
  ];

  static override flags = { ...ddbTargetFlags };

  async run(): Promise<{ endpoint: string; tables: ListedTable[] }> {
    const { flags } = await this.parse(DdbListTables);
    const { listTables } = await import('../../ddb/ddb.js');
    const { store, target } = await this.dynamo(flags);
    const tables = await listTables(store);
    if (tables.length === 0) this.log(`No tables (${target.display}). Create one with \`cruddur ddb schema-load\`.`);
    else this.log(renderTable(['table', 'status', 'items (estimate)'], tables.map((t) => [t.name, t.status, String(t.items)])));
    return { endpoint: target.display, tables };
  }
}
