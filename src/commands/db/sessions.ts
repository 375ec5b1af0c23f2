import { DbCommand, connectionFlags } from '../../db-base-command.js';
import { renderTable } from '../../core/table.js';
import type { DbSession } from '../../db/admin.js';

export default class DbSessions extends DbCommand {
  static override summary = 'List open sessions (pg_stat_activity).';
  static override description = 'Shows pid, user, database, state, client address and the current query of every other client session on the server.';

  static override examples = [
    { description: 'Who is connected', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'As JSON', command: '<%= config.bin %> <%= command.id %> --json' },
  ];

  static override flags = { ...connectionFlags };

  async run(): Promise<{ target: string; sessions: DbSession[] }> {
    const { flags } = await this.parse(DbSessions);
    const target = await this.target(flags);
    const { listSessions } = await import('../../db/admin.js');
    const sessions = await listSessions(target);
    if (sessions.length === 0) this.log('No other sessions.');
    else {
      const oneLine = (q: string | null) => (q ?? '').replace(/\s+/g, ' ').trim().slice(0, 60);
      this.log(renderTable(['pid', 'user', 'database', 'state', 'client', 'query'], sessions.map((s) => [String(s.pid), s.user ?? '', s.database ?? '', s.state ?? '', s.client ?? 'local', oneLine(s.query)])));
    }
    return { target: target.display, sessions };
  }
}
