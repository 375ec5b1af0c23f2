import { DbCommand, connectionFlags } from '../../db-base-command.js';
import type { CreateResult } from '../../db/admin.js';

export default class DbCreate extends DbCommand {
  static override summary = 'Create the database named in the connection URL.';
  static override description = `Connects to the server's "postgres" maintenance database and runs CREATE DATABASE. An existing database is
left alone. With no CONNECTION_URL the project's embedded PostgreSQL (.cruddur/postgres) is started on demand.`;

  static override examples = [
    { description: 'Create the development database', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Create the production database', command: '<%= config.bin %> <%= command.id %> --prod' },
  ];

  static override flags = { ...connectionFlags };

  async run(): Promise<CreateResult & { target: string }> {
    const { flags } = await this.parse(DbCreate);
    const target = await this.target(flags);
    const { createDatabase } = await import('../../db/admin.js');
    const result = await createDatabase(target, this.logger(flags));
    this.log(result.created ? `Created database ${result.database} (${target.display})` : `Database ${result.database} already exists (${target.display})`);
    return { ...result, target: target.display };
  }
}
