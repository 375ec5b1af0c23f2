import { Flags } from '@oclif/core';
import { DbCommand, connectionFlags } from '../../db-base-command.js';
import { CruddurError } from '../../core/errors.js';
import { renderTable } from '../../core/table.js';
import type { StatusResult } from '../../migrations/runner.js';

export default class DbStatus extends DbCommand {
  static override summary = 'Show which migrations are applied and which are pending.';
  static override description = `Lists every migration file and every recorded version: applied, pending, changed (applied, then edited: the
checksum differs) or missing (recorded, but the file is gone). The summary counts rows by that state, so they add
up to the rows listed. --exit-code exits 1 when any is pending.`;

  static override examples = [
    { description: 'Show the state', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Fail a CI step when migrations are pending', command: '<%= config.bin %> <%= command.id %> --exit-code --prod' },
  ];

  static override flags = {
    ...connectionFlags,
    'exit-code': Flags.boolean({ description: 'Exit 1 when there are pending migrations.' }),
  };

  async run(): Promise<StatusResult> {
    const { flags } = await this.parse(DbStatus);
    const target = await this.target(flags);
    const { status } = await import('../../migrations/runner.js');
    const { migrationsSource } = await import('../../db/setup.js');
    const result = await status(target, migrationsSource(this.project(flags)));
    if (!this.jsonEnabled()) {
      this.log(renderTable(['state', 'version', 'name', 'applied at'], result.migrations.map((m) => [m.state, m.version, m.name, m.appliedAt ?? ''])));
      this.log(`\n${result.applied} applied, ${result.pending} pending${result.changed ? `, ${result.changed} changed` : ''}${result.missing ? `, ${result.missing} missing` : ''} (${target.database})`);
    }
    if (flags['exit-code'] && result.pending > 0) {
      throw new CruddurError(`${result.pending} migration(s) pending on ${target.database}`, { suggestion: 'run `cruddur db migrate`', code: 'MIGRATIONS_PENDING', details: result });
    }
    return result;
  }
}
