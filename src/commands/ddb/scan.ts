import { Args, Flags } from '@oclif/core';
import { DdbCommand, ddbTargetFlags } from '../../ddb-base-command.js';
import type { ScanResult } from '../../ddb/ddb.js';

export default class DdbScan extends DdbCommand {
  static override summary = 'Print the items of a DynamoDB table.';
  static override description = 'The bootcamp\'s bin/ddb/scan: every item (Scan, all pages), one plain JSON object a line, then the count. With --json: {table, count, truncated, items} with the items in DynamoDB JSON.';
  static override examples = [
    { description: 'The messages', command: '<%= config.bin %> <%= command.id %> cruddur-messages' },
    { description: 'The first 10', command: '<%= config.bin %> <%= command.id %> cruddur-messages --limit 10' },
  ];

  static override args = {
    table: Args.string({ ignoreStdin: true, description: 'Table name.', required: true }),
  };

  static override flags = {
    ...ddbTargetFlags,
    limit: Flags.integer({ description: 'Stop after this many items.', min: 1 }),
  };

  async run(): Promise<ScanResult> {
    const { args, flags } = await this.parse(DdbScan);
    const [{ scanTable }, { unmarshalItem }] = await Promise.all([import('../../ddb/ddb.js'), import('../../ddb/items.js')]);
    const { store } = await this.dynamo(flags);
    const result = await scanTable(store, args.table, { limit: flags.limit });
    if (!this.jsonEnabled()) {
      for (const item of result.items) this.log(JSON.stringify(unmarshalItem(item)));
      this.logToStderr(`${result.count} item${result.count === 1 ? '' : 's'}${result.truncated ? ' (more left: raise --limit)' : ''}`);
    }
    return result;
  }
}
