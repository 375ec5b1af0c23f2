import { DbCommand, connectionFlags, yesFlag } from '../../db-base-command.js';
import type { LoadResult } from '../../db/setup.js';

export default class DbSchemaLoad extends DbCommand {
  static override summary = 'Load schema.sql into the database.';
  static override description = `Runs backend-flask/db/schema.sql (the "schema" path in cruddur.json) whole, in one transaction: an error rolls everything back
and names the file, line and statement.`;

  static override examples = [
    { description: 'Load the schema', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Against production (asks you to type the database name)', command: '<%= config.bin %> <%= command.id %> --prod' },
  ];

  static override flags = { ...connectionFlags, ...yesFlag };

  async run(): Promise<LoadResult & { target: string }> {
    const { flags } = await this.parse(DbSchemaLoad);
    const target = await this.target(flags);
    await this.confirmDestructive(flags, target, 'Load the schema');
    const { loadSqlFile } = await import('../../db/setup.js');
    const result = await loadSqlFile(this.project(flags), target, 'schema');
    this.log(`Loaded ${result.file} into ${result.database} in ${result.ms} ms`);
    return { ...result, target: target.display };
  }
}
