import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { LOOPBACK, postgresUrl, type PostgresServer } from '../../src/local/postgres.js';

export interface TestPostgres {
  server: PostgresServer;
  /** A URL for an existing database. */
  url(database?: string): string;
  /** Creates a fresh, uniquely named database and returns its URL. */
  createDatabase(prefix?: string): Promise<{ name: string; url: string }>;
  /** Runs one query on a database and returns the rows. */
  query<T extends pg.QueryResultRow = pg.QueryResultRow>(database: string, sql: string, params?: unknown[]): Promise<T[]>;
  /** Drops the databases this handle created (the server is the run's: test/support/global-setup.ts stops it). */
  stop(): Promise<void>;
}

/**
 * The run's real PostgreSQL (started once by the globalSetup test/support/global-setup.ts with the launcher
 * `db` commands and `local up` use); each test creates its own database, each file its own roles.
 * Call `stop()` in afterAll: it drops the databases `createDatabase` made.
 */
export async function startTestPostgres(): Promise<TestPostgres> {
  const shared = inject('sharedPostgres');
  if (!shared) throw new Error('no shared PostgreSQL: vitest.config.ts must list test/support/global-setup.ts in globalSetup');
  const server: PostgresServer = {
    port: shared.port,
    host: LOOPBACK,
    dataDir: shared.dataDir,
    started: false,
    url: (database = 'postgres') => postgresUrl(shared.port, database),
    stop: async () => false,
  };
  const created: string[] = [];
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
      created.push(name);
      return { name, url: server.url(name) };
    },
    query,
    async stop() {
      for (const name of created.splice(0)) await query('postgres', `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => undefined);
    },
  };
}
