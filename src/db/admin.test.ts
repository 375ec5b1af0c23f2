import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../core/output.js';
import { startTestPostgres, type TestPostgres } from '../../test/support/postgres.js';
import { createDatabase, dropDatabase, killSessions, listSessions } from './admin.js';
import { withClient } from './client.js';
import { parseTarget, maintenanceTarget, type DbTarget } from './connection.js';

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

  it('a non-superuser owner sees, counts and (with pg_signal_backend) force-drops other roles\' sessions', async () => {
    const role = `owner_${Date.now()}`;
    await server.query('postgres', `CREATE ROLE ${role} LOGIN CREATEDB PASSWORD 'ownerpw'`);
    const db = `${role}_db`;
    await server.query('postgres', `CREATE DATABASE ${db} OWNER ${role}`);
    await server.query('postgres', `CREATE ROLE ${role}_app LOGIN PASSWORD 'apppw'`);
    const as = (user: string, password: string) => {
      const u = new URL(server.url(db));
      u.username = user;
      u.password = password;
      return u.toString();
    };
    for (let k = 0; k < 2; k += 1) {
      const client = new pg.Client({ connectionString: as(`${role}_app`, 'apppw'), application_name: 'flask-backend' });
      client.on('error', () => {});
      await client.connect();
      open.push(client);
    }
    const url = new URL(server.url(db));
    url.username = role;
    url.password = 'ownerpw';
    const owner = parseTarget(url.toString(), 'CONNECTION_URL');
    const sessions = await listSessions(owner, db);
    expect(sessions.map((s) => [s.user, s.application, s.hidden, s.client])).toEqual([
      [`${role}_app`, 'flask-backend', true, null],
      [`${role}_app`, 'flask-backend', true, null],
    ]);
    const inUse = (await dropDatabase(owner, { force: false }, silentLogger).catch((e: unknown) => e)) as Error & { code: string };
    expect(inUse.code).toBe('DB_IN_USE');
    expect(inUse.message).toMatch(new RegExp(`has 2 open sessions: pid \\d+ \\(${role}_app, flask-backend, details hidden`));
    const denied = (await dropDatabase(owner, { force: true }, silentLogger).catch((e: unknown) => e)) as Error & { code: string; suggestion: string };
    expect(denied.code).toBe('DB_FORCE_DENIED');
    expect(denied.message).toBe(`--force cannot end the sessions of "${role}_app" on "${db}": role "${role}" lacks pg_signal_backend`);
    expect(denied.suggestion).toContain(`GRANT pg_signal_backend TO "${role}"`);
    await server.query('postgres', `GRANT pg_signal_backend TO ${role}`);
    expect(await dropDatabase(owner, { force: true }, silentLogger)).toEqual({ database: db, dropped: true, terminated: 2 });
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
