import { Flags } from '@oclif/core';
import { DbCommand, connectionFlags, yesFlag } from '../../db-base-command.js';
import type { RollbackResult } from '../../migrations/runner.js';

export default class DbRollback extends DbCommand {
  static override summary = 'Roll back the last applied migration(s).';
  static override description = `Runs the down SQL (-- migrate:down, or rollback_sql() of a bootcamp Python migration) of the newest applied
migrations, each in its own transaction, and removes them from schema_migrations.`;

  static override examples = [
    { description: 'Undo the last migration', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Undo the last three', command: '<%= config.bin %> <%= command.id %> --steps 3' },
    { description: 'Print the SQL that would run', command: '<%= config.bin %> <%= command.id %> --dry-run' },
  ];

  static override flags = {
    ...connectionFlags,
    ...yesFlag,
    steps: Flags.integer({ description: 'How many migrations to roll back.', default: 1, min: 1 }),
    'dry-run': Flags.boolean({ description: 'Print the down SQL; change nothing.' }),
  };

  async run(): Promise<RollbackResult> {
    const { flags } = await this.parse(DbRollback);
    const target = await this.target(flags);
    if (!flags['dry-run']) await this.confirmDestructive(flags, target, `Roll back ${flags.steps} migration(s)`);
    const { rollback } = await import('../../migrations/runner.js');
    const { migrationsSource } = await import('../../db/setup.js');
    const result = await rollback(target, migrationsSource(this.project(flags)), { steps: flags.steps, dryRun: flags['dry-run'] }, this.logger(flags));
    if (result.rolledBack.length === 0) this.log('Nothing to roll back.');
    for (const step of result.rolledBack) this.log(result.dryRun ? `-- ${step.file} (down)\n${step.sql ?? ''}\n` : `Rolled back ${step.file} (${step.ms} ms)`);
    return result;
  }
}
