import { Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { localDown, type LocalDownResult } from '../../local/stack.js';

export default class LocalDown extends BaseCommand {
  static override summary = 'Stop the local stack (data kept unless --purge).';
  static override examples = [
    { description: 'Stop, keeping rows and objects for next time', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Stop and delete all local data', command: '<%= config.bin %> <%= command.id %> --purge' },
  ];

  static override flags = {
    purge: Flags.boolean({ description: 'Also delete the local database, S3 and DynamoDB data.' }),
  };

  async run(): Promise<LocalDownResult> {
    const { flags } = await this.parse(LocalDown);
    const result = await localDown(this.project(flags).root, { purge: flags.purge }, this.logger(flags));
    this.log(result.status === 'stopped' ? 'Local stack stopped.' : 'The local stack was not running.');
    if (result.purged) this.log('Local data deleted.');
    return result;
  }
}
