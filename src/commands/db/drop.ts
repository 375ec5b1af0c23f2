import { Flags } from '@oclif/core';
import { DbCommand, connectionFlags, yesFlag } from '../../db-base-command.js';
import type { DropResult } from '../../db/admin.js';

export default class DbDrop extends DbCommand {
  static override summary = 'Drop the database named in the connection URL.';
  static override description = `Refuses while other sessions are connected and lists them; --force terminates them first.
A database that does not exist is not an error. With --prod you must type the database name (or pass --yes).`;

  static override examples = [
    { description: 'Drop the development database', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Drop it even while the backend is connected', command: '<%= config.bin %> <%= command.id %> --force' },
  ];

  static override flags = {
    ...connectionFlags,
    ...yesFlag,
    force: Flags.boolean({ description: 'Terminate open sessions on the database, then drop it.' }),
  };

  async run(): Promise<DropResult & { target: string }> {
    const { flags } = await this.parse(DbDrop);
    const target = await this.target(flags);
    await this.confirmDestructive(flags, target, 'Drop the database');
    const { dropDatabase } = await import('../../db/admin.js');
    const result = await dropDatabase(target, { force: flags.force }, this.logger(flags));
    this.log(result.dropped ? `Dropped database ${result.database}${result.terminated ? ` (terminated ${result.terminated} session(s))` : ''}` : `Database ${result.database} does not exist; nothing to drop`);
    return { ...result, target: target.display };
  }
}
