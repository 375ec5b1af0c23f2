import { Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { localLogs } from '../../local/stack.js';

export default class LocalLogs extends BaseCommand {
  static override summary = 'Print the local stack\'s log (.cruddur/local.log).';
  static override examples = [{ description: 'The last 50 lines', command: '<%= config.bin %> <%= command.id %> -n 50' }];
  static override flags = {
    lines: Flags.integer({ char: 'n', description: 'How many lines from the end.', default: 100, min: 1 }),
  };

  async run(): Promise<{ lines: string[] }> {
    const { flags } = await this.parse(LocalLogs);
    const lines = await localLogs(this.project(flags).root, flags.lines);
    for (const line of lines) this.log(line);
    if (lines.length === 0) this.logToStderr('No local log yet: start the stack with `cruddur local up`.');
    return { lines };
  }
}
