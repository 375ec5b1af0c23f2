import { Flags } from '@oclif/core';
import { DbCommand, connectionFlags } from '../../db-base-command.js';
import type { MigrateResult } from '../../migrations/runner.js';

export default class DbMigrate extends DbCommand {
  static override summary = 'Apply pending migrations.';
  static override description = `Applies the migrations in backend-flask/db/migrations that are not yet recorded in schema_migrations, in
version order, each in its own transaction, under a PostgreSQL advisory lock (two runs at once never apply
one twice). Reads dbmate-style .sql files (-- migrate:up / -- migrate:down) and the bootcamp's Python files
(the SQL returned by migrate_sql() / rollback_sql(); Python is never run). A failing migration is rolled back
entirely, named with file and line, and stops the run; each migration applied before it is printed as it
commits and stays applied, and the error lists them.`;

  static override examples = [
    { description: 'Apply everything pending', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Print the SQL that would run', command: '<%= config.bin %> <%= command.id %> --dry-run' },
    { description: 'Production', command: '<%= config.bin %> <%= command.id %> --prod' },
  ];

  static override flags = {
    ...connectionFlags,
    'dry-run': Flags.boolean({ description: 'Print the SQL of pending migrations; change nothing.' }),
  };

  async run(): Promise<MigrateResult> {
    const { flags } = await this.parse(DbMigrate);
    const target = await this.target(flags);
    const { migrate } = await import('../../migrations/runner.js');
    const { migrationsSource } = await import('../../db/setup.js');
    // Each applied migration is printed as it commits (as dbmate does), so a later failure leaves the list on stdout.
    const onApplied = (step: { file: string; ms: number }) => this.log(`Applied ${step.file} (${step.ms} ms)`);
    const result = await migrate(target, migrationsSource(this.project(flags)), { dryRun: flags['dry-run'], onApplied }, this.logger(flags));
    if (result.dryRun) {
      if (result.applied.length === 0) this.log('Nothing to migrate.');
      for (const step of result.applied) this.log(`-- ${step.file}\n${step.sql ?? ''}\n`);
    } else {
      this.log(result.applied.length === 0 ? `Nothing to migrate: ${target.database} is up to date.` : `${result.applied.length} migration(s) applied to ${target.database}.`);
    }
    return result;
  }
}
