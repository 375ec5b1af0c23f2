import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../core/output.js';
import { startTestPostgres, type TestPostgres } from '../../test/support/postgres.js';
import { createDatabase, dropDatabase, killSessions, listSessions } from './admin.js';
import { withClient } from './client.js';
import { parseTarget, type DbTarget } from './connection.js';
import { runScript } from './script.js';

describe('database administration (real PostgreSQL)', () => {
  let server: TestPostgres;
  const open: pg.Client[] = [];
  beforeAll(async () => {
    server = await startTestPostgres();
  });
  afterAll(async () => {
    for (const c of open) await c.end().catch(() => {});
    await server.stop();
  });

  const target = (db: string) => parseTarget(server.url(db), 'CONNECTION_URL');
  const databaseExists = async (t: DbTarget) => (await server.query('postgres', 'SELECT 1 FROM pg_database WHERE datname = $1', [t.database])).length === 1;
  async function connectApp(db: string): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: server.url(db), application_name: 'flask-backend' });
    client.on('error', () => {});
    await client.connect();
    open.push(client);
    return client;
  }

  it('creates through the maintenance database, and is idempotent', async () => {
    const t = target('made_here');
    expect(await databaseExists(t)).toBe(false);
    expect(await createDatabase(t, silentLogger)).toEqual({ database: 'made_here', created: true });
    expect(await createDatabase(t, silentLogger)).toEqual({ database: 'made_here', created: false });
    expect(await databaseExists(t)).toBe(true);
  });

  it('drop refuses while sessions are open and lists them; --force terminates them', async () => {
    const { name } = await server.createDatabase('busy');
    await connectApp(name);
    const error = (await dropDatabase(target(name), { force: false }, silentLogger).catch((e: unknown) => e)) as Error & { code: string };
    expect(error.code).toBe('DB_IN_USE');
    expect(error.message).toMatch(new RegExp(`^Database "${name}" has 1 open session: pid \\d+ \\(postgres@127.0.0.1, flask-backend, idle\\)$`));
    expect(await databaseExists(target(name))).toBe(true);

    const sessions = await listSessions(target(name), name);
    expect(sessions.map((s) => [s.database, s.application, s.state])).toEqual([[name, 'flask-backend', 'idle']]);

    expect(await dropDatabase(target(name), { force: true }, silentLogger)).toEqual({ database: name, dropped: true, terminated: 1 });
    expect(await databaseExists(target(name))).toBe(false);
    expect(await dropDatabase(target(name), { force: false }, silentLogger)).toEqual({ database: name, dropped: false, terminated: 0 });
  });

  it('refuses to drop a system database', async () => {
    await expect(dropDatabase(target('postgres'), { force: true }, silentLogger)).rejects.toThrow(/system database "postgres"/);
  });

  it('kill-all terminates the other sessions on the database only', async () => {
    const { name } = await server.createDatabase('kill');
    const { name: other } = await server.createDatabase('other');
    await connectApp(name);
    await connectApp(name);
    const bystander = await connectApp(other);
    expect(await killSessions(target(name))).toBe(2);
    expect((await listSessions(target(name), name)).length).toBe(0);
    expect((await bystander.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
  });

  it('runs a script whole in one transaction: an error keeps nothing and names the line', async () => {
    const { name } = await server.createDatabase('script');
    const t = target(name);
    const script = { sql: 'CREATE TABLE a (id int);\nINSERT INTO a VALUES (1);\nINSERT INTO a VALUES (\'x\');\n', file: 'db/seed.sql', firstLine: 1 };
    const error = (await withClient(t, (c) => runScript(c, script)).catch((e: unknown) => e)) as Error;
    expect(error.message).toBe('db/seed.sql:3: invalid input syntax for type integer: "x" (in `INSERT INTO a VALUES (\'x\');`)');
    expect(await server.query(name, "SELECT to_regclass('public.a') AS t")).toEqual([{ t: null }]);
  });

  it('runs scripts PostgreSQL refuses in a transaction without one', async () => {
    const { name } = await server.createDatabase('notx');
    const t = target(name);
    await withClient(t, (c) => runScript(c, { sql: 'CREATE TABLE a (id int);\nCREATE INDEX CONCURRENTLY a_id ON a (id);\n', file: 'x.sql' }));
    expect(await server.query(name, "SELECT indexname FROM pg_indexes WHERE tablename = 'a'")).toEqual([{ indexname: 'a_id' }]);
  });
});

describe('sslmode against a server without TLS (real PostgreSQL)', () => {
  let server: TestPostgres;
  beforeAll(async () => {
    server = await startTestPostgres();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('prefer falls back to a plain connection, like libpq', async () => {
    const t = parseTarget(`${server.url('postgres')}?sslmode=prefer`, 'CONNECTION_URL');
    expect(await withClient(t, async (c) => (await c.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).rows)).toEqual([{ ssl: false }]);
  });

  it('require refuses, with a fix naming sslmode', async () => {
    const t = parseTarget(`${server.url('postgres')}?sslmode=require`, 'CONNECTION_URL');
    const error = (await withClient(t, async () => 1).catch((e: unknown) => e)) as Error & { code: string; suggestion: string };
    expect(error.code).toBe('DB_TLS');
    expect(error.message).toMatch(/^TLS to 127\.0\.0\.1:\d+ failed: The server does not support SSL connections$/);
    expect(error.suggestion).toMatch(/sslmode/);
  });
});
