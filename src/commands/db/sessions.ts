import { DbCommand, connectionFlags } from '../../db-base-command.js';
import { renderTable } from '../../core/table.js';
import type { DbSession } from '../../db/admin.js';

export default class DbSessions extends DbCommand {
  static override summary = 'List open sessions (pg_stat_activity).';
  static override description = `Shows pid, user, database, state, client address and the current query of every other client session on the server.
Sessions of other roles are listed with what PostgreSQL lets a non-superuser see (pid, user, database, application).`;

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
      this.log(renderTable(['pid', 'user', 'database', 'state', 'client', 'query'], sessions.map((s) => [String(s.pid), s.user ?? '', s.database ?? '', s.state ?? (s.hidden ? '(hidden)' : ''), s.hidden ? '(hidden)' : (s.client ?? 'local'), s.hidden ? `${s.application ?? ''} (another role's session)` : oneLine(s.query)])));
      const hidden = sessions.filter((s) => s.hidden).length;
      if (hidden > 0) this.log(`${hidden} session(s) of other roles: PostgreSQL shows their state, client and query only to superusers and pg_read_all_stats members.`);
    }
    return { target: target.display, sessions };
  }
}
