import { DbCommand, connectionFlags, singleTransactionFlag, yesFlag } from '../../db-base-command.js';
import type { LoadResult } from '../../db/setup.js';

export default class DbSchemaLoad extends DbCommand {
  static override summary = 'Load schema.sql into the database.';
  static override description = `Runs backend-flask/db/schema.sql (the "schema" path in cruddur.json) as \`psql -f\` would: the same statements, meta-commands (\\i, \\ir, \\restrict, \\echo) and COPY ... FROM stdin data, each statement committed as psql commits it (runs that PostgreSQL allows in a transaction go in one, which is faster). An error names the file, line and statement and says what was kept; --single-transaction (psql -1) keeps nothing on error. See docs/db.md.`;

  static override examples = [
    { description: 'Load the schema', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Against production (asks you to type the database name)', command: '<%= config.bin %> <%= command.id %> --prod' },
  ];

  static override flags = { ...connectionFlags, ...yesFlag, ...singleTransactionFlag };

  async run(): Promise<LoadResult & { target: string }> {
    const { flags } = await this.parse(DbSchemaLoad);
    const target = await this.target(flags);
    await this.confirmDestructive(flags, target, 'Load the schema');
    const { loadSqlFile } = await import('../../db/setup.js');
    const result = await loadSqlFile(this.project(flags), target, 'schema', { mode: flags['single-transaction'] ? 'single' : 'auto' });
    for (const line of result.echoes) this.log(line);
    this.log(`Loaded ${result.file} into ${result.database} in ${result.ms} ms`);
    return { ...result, target: target.display };
  }
}
