import { Flags } from '@oclif/core';
import { DbCommand, connectionFlags, singleTransactionFlag, yesFlag } from '../../db-base-command.js';
import { renderTable } from '../../core/table.js';
import type { SetupResult } from '../../migrations/setup.js';

export default class DbSetup extends DbCommand {
  static override summary = 'Recreate the database: drop, create, schema, seed, migrate.';
  static override description = `The bootcamp's bin/db/setup as one listed run: drop the database if it exists, create it, load schema.sql,
load seed.sql (each as psql -f loads it, see db schema-load), then apply the migrations. Stops at the first failing step. Safe to run again.
With no CONNECTION_URL it works on the project's embedded PostgreSQL (started on demand).`;

  static override examples = [
    { description: 'Fresh development database', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Row counts as JSON (for scripts)', command: '<%= config.bin %> <%= command.id %> --json' },
    { description: 'Even while the backend is connected', command: '<%= config.bin %> <%= command.id %> --force' },
  ];

  static override flags = {
    ...connectionFlags,
    ...yesFlag,
    ...singleTransactionFlag,
    force: Flags.boolean({ description: 'Terminate open sessions before dropping.' }),
  };

  async run(): Promise<SetupResult> {
    const { flags } = await this.parse(DbSetup);
    const target = await this.target(flags);
    await this.confirmDestructive(flags, target, 'Drop and recreate the database');
    const { setupDatabase } = await import('../../migrations/setup.js');
    const result = await setupDatabase(this.project(flags), target, { force: flags.force, silent: this.jsonEnabled(), singleTransaction: flags['single-transaction'] }, this.logger(flags));
    if (!this.jsonEnabled()) {
      this.log(`Database ${result.database} is ready (${target.display})`);
      this.log(renderTable(['table', 'rows'], result.tables.map((t) => [t.table, String(t.rows)])));
    }
    return result;
  }
}
