import { CruddurError } from '../core/errors.js';
import type { Logger } from '../core/output.js';
import { quoteIdent, withClient } from './client.js';
import { maintenanceTarget, type DbTarget } from './connection.js';

/** One row of pg_stat_activity, as `db sessions` shows it. */
export interface DbSession {
  pid: number;
  user: string | null;
  database: string | null;
  state: string | null;
  client: string | null;
  application: string | null;
  query: string | null;
  /**
   * Another role's session seen by a role without pg_read_all_stats: PostgreSQL shows only pid, database, user
   * and application name (state, client address, query and backend_type are NULL).
   */
  hidden: boolean;
}

export interface CreateResult {
  database: string;
  created: boolean;
}

/** CREATE DATABASE through the `postgres` maintenance database; an existing one is left alone (`created: false`). */
export async function createDatabase(target: DbTarget, logger: Logger): Promise<CreateResult> {
  return withClient(maintenanceTarget(target), async (client) => {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [target.database]);
    if ((exists.rowCount ?? 0) > 0) {
      logger.debug(`database ${target.database} already exists`);
      return { database: target.database, created: false };
    }
    try {
      await client.query(`CREATE DATABASE ${quoteIdent(target.database)}`);
    } catch (error) {
      // Lost a race with another creator: the database is there, which is what was asked.
      if ((error as { code?: string }).code !== '42P04' && (error as { code?: string }).code !== '23505') throw error;
    }
    return { database: target.database, created: true };
  });
}

export interface DropResult {
  database: string;
  dropped: boolean;
  terminated: number;
}

// A role without pg_read_all_stats sees other roles' sessions with a NULL backend_type: keep those (counted, shown
// with what is visible) instead of filtering every one of them away.
const SESSIONS_SQL = `SELECT pid, usename AS user, datname AS database, state, host(client_addr) AS client,
  application_name AS application, left(query, 200) AS query, backend_type IS NULL AS hidden
  FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND (backend_type = 'client backend' OR backend_type IS NULL)`;

/** Open sessions on the server (all databases, or one). */
export async function listSessions(target: DbTarget, database?: string): Promise<DbSession[]> {
  return withClient(maintenanceTarget(target), async (client) => {
    const sql = database ? `${SESSIONS_SQL} AND datname = $1 ORDER BY pid` : `${SESSIONS_SQL} ORDER BY datname, pid`;
    const result = await client.query<DbSession>(sql, database ? [database] : []);
    return result.rows;
  });
}

/** Terminates every other session on the database; returns how many. */
export async function killSessions(target: DbTarget): Promise<number> {
  return withClient(maintenanceTarget(target), async (client) => {
    const result = await client.query<{ ok: boolean }>(
      `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
      [target.database],
    );
    return result.rows.filter((r) => r.ok).length;
  });
}

/**
 * DROP DATABASE. Refuses while other sessions are open (listing them) unless `force`, which
 * terminates them (DROP ... WITH (FORCE)). A missing database is `dropped: false`.
 */
export async function dropDatabase(target: DbTarget, options: { force: boolean }, logger: Logger): Promise<DropResult> {
  if (target.database === 'postgres' || target.database === 'template0' || target.database === 'template1') {
    throw new CruddurError(`Refusing to drop the system database "${target.database}"`, {
      suggestion: 'point CONNECTION_URL (or --url) at your application database',
      code: 'DB_SYSTEM_DATABASE',
    });
  }
  return withClient(maintenanceTarget(target), async (client) => {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [target.database]);
    if ((exists.rowCount ?? 0) === 0) return { database: target.database, dropped: false, terminated: 0 };
    const sessions = (await client.query<DbSession>(`${SESSIONS_SQL} AND datname = $1 ORDER BY pid`, [target.database])).rows;
    if (sessions.length > 0 && !options.force) {
      const list = sessions.map((s) =>
        s.hidden ? `pid ${s.pid} (${s.user ?? '?'}, ${s.application || 'no app name'}, details hidden: another role's session)` : `pid ${s.pid} (${s.user ?? '?'}${s.client ? `@${s.client}` : ''}, ${s.application || 'no app name'}, ${s.state ?? '?'})`,
      );
      throw new CruddurError(`Database "${target.database}" has ${sessions.length} open session${sessions.length > 1 ? 's' : ''}: ${list.join('; ')}`, {
        suggestion: 'close them (stop the backend, quit psql), or pass --force to terminate them',
        code: 'DB_IN_USE',
        details: { sessions },
      });
    }
    if (sessions.length > 0) logger.info(`Terminating ${sessions.length} session(s) on ${target.database}`);
    try {
      await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(target.database)}${options.force ? ' WITH (FORCE)' : ''}`);
    } catch (error) {
      throw dropError(error, target, sessions, options.force);
    }
    return { database: target.database, dropped: true, terminated: options.force ? sessions.length : 0 };
  });
}

/**
 * DROP DATABASE's refusals in words: sessions that appeared after the listing (55006), and --force without the right
 * to end other roles' sessions (42501: PostgreSQL needs the pg_signal_backend role, or membership in their role).
 */
function dropError(error: unknown, target: DbTarget, sessions: DbSession[], force: boolean): unknown {
  const e = error as { code?: string; message?: string; detail?: string };
  if (e?.code === '42501' && force && /SUPERUSER/.test(e.detail ?? '')) {
    return new CruddurError(`--force cannot end a superuser's session on "${target.database}": only a superuser may`, {
      suggestion: 'run it as a superuser, or close that session (`cruddur db sessions` lists it)',
      code: 'DB_FORCE_DENIED',
      cause: error,
    });
  }
  if (e?.code === '42501' && force) {
    const others = [...new Set(sessions.filter((s) => s.user !== target.user).map((s) => s.user ?? '?'))];
    return new CruddurError(
      `--force cannot end the sessions of ${others.length > 0 ? others.map((u) => `"${u}"`).join(', ') : 'other roles'} on "${target.database}": role "${target.user}" lacks pg_signal_backend`,
      {
        suggestion: `as a superuser (RDS: the master user) run \`GRANT pg_signal_backend TO "${target.user}";\`, or ask those users to disconnect`,
        code: 'DB_FORCE_DENIED',
        cause: error,
      },
    );
  }
  if (e?.code === '55006') {
    return new CruddurError(`Database "${target.database}" is in use: ${e.message ?? ''}`, {
      suggestion: 'list the sessions with `cruddur db sessions`, or pass --force to terminate them',
      code: 'DB_IN_USE',
      cause: error,
    });
  }
  return error;
}
