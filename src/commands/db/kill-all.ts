import { DbCommand, connectionFlags, yesFlag } from '../../db-base-command.js';

export default class DbKillAll extends DbCommand {
  static override summary = 'Terminate every other session on the database.';
  static override description = 'pg_terminate_backend for every session connected to the database except this one (e.g. before a drop).';

  static override examples = [
    { description: 'Disconnect everyone from the development database', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Production, without a prompt', command: '<%= config.bin %> <%= command.id %> --prod --yes' },
  ];

  static override flags = { ...connectionFlags, ...yesFlag };

  async run(): Promise<{ target: string; database: string; terminated: number }> {
    const { flags } = await this.parse(DbKillAll);
    const target = await this.target(flags);
    await this.confirmDestructive(flags, target, 'Terminate every session');
    const { killSessions } = await import('../../db/admin.js');
    const terminated = await killSessions(target);
    this.log(`Terminated ${terminated} session(s) on ${target.database}`);
    return { target: target.display, database: target.database, terminated };
  }
}
