import { randomBytes } from 'node:crypto';
import { chmod } from 'node:fs/promises';
import pg from 'pg';
import { startPostgres, type PostgresServer } from '../../src/local/postgres.js';
import { tempDir, type TempDir } from './tmp.js';

export interface TestPostgres {
  server: PostgresServer;
  /** A URL for an existing database. */
  url(database?: string): string;
  /** Creates a fresh, uniquely named database and returns its URL. */
  createDatabase(prefix?: string): Promise<{ name: string; url: string }>;
  /** Runs one query on a database and returns the rows. */
  query<T extends pg.QueryResultRow = pg.QueryResultRow>(database: string, sql: string, params?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

/**
 * One real PostgreSQL per test file (initdb costs ~1 s); each test creates its own database.
 * Call `stop()` in afterAll: it stops the server (bounded: fast, then immediate shutdown) and removes its data dir.
 */
export async function startTestPostgres(): Promise<TestPostgres> {
  const dir: TempDir = await tempDir('cruddur-pg-');
  // As root the server runs as the `postgres` user, which must be able to reach its data dir.
  await chmod(dir.path, 0o755);
  let server: PostgresServer;
  try {
    // The one launcher `db` commands and `local up` use, on a throwaway data folder.
    server = await startPostgres({ dataDir: `${dir.path}/data` });
  } catch (error) {
    await dir.cleanup();
    throw error;
  }
  const query = async <T extends pg.QueryResultRow>(database: string, sql: string, params: unknown[] = []) => {
    const client = new pg.Client({ connectionString: server.url(database) });
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  };
  return {
    server,
    url: (database = 'postgres') => server.url(database),
    async createDatabase(prefix = 'test') {
      const name = `${prefix}_${randomBytes(4).toString('hex')}`;
      await query('postgres', `CREATE DATABASE "${name}"`);
      return { name, url: server.url(name) };
    },
    query,
    async stop() {
      try {
        await server.stop();
      } finally {
        await dir.cleanup();
      }
    },
  };
}
