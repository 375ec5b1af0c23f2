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

const SESSIONS_SQL = `SELECT pid, usename AS user, datname AS database, state, host(client_addr) AS client,
  application_name AS application, left(query, 200) AS query
  FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'`;

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
      const list = sessions.map((s) => `pid ${s.pid} (${s.user ?? '?'}${s.client ? `@${s.client}` : ''}, ${s.application || 'no app name'}, ${s.state ?? '?'})`);
      throw new CruddurError(`Database "${target.database}" has ${sessions.length} open session${sessions.length > 1 ? 's' : ''}: ${list.join('; ')}`, {
        suggestion: 'close them (stop the backend, quit psql), or pass --force to terminate them',
        code: 'DB_IN_USE',
        details: { sessions },
      });
    }
    if (sessions.length > 0) logger.info(`Terminating ${sessions.length} session(s) on ${target.database}`);
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(target.database)}${options.force ? ' WITH (FORCE)' : ''}`);
    return { database: target.database, dropped: true, terminated: options.force ? sessions.length : 0 };
  });
}
