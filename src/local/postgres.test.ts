import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { dirname } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { silentLogger } from '../core/output.js';
import { tempDir, type TempDir } from '../../test/support/tmp.js';
import type { Logger } from '../core/output.js';
import { ensureLocalPostgres, firstBlockedDir, localPostgresDataDir, localPostgresStatus, postgresUrl, ROOT_DATA_HOME, stopLocalPostgres } from './postgres.js';

describe('firstBlockedDir', () => {
  const user = { uid: 101, gid: 104 };
  it.each([
    [[{ path: '/', mode: 0o755, uid: 0, gid: 0 }, { path: '/tmp', mode: 0o1777, uid: 0, gid: 0 }], undefined],
    [[{ path: '/', mode: 0o755, uid: 0, gid: 0 }, { path: '/root', mode: 0o700, uid: 0, gid: 0 }], '/root'],
    [[{ path: '/srv', mode: 0o750, uid: 0, gid: 104 }], undefined],
    [[{ path: '/srv', mode: 0o700, uid: 101, gid: 0 }], undefined],
    [[{ path: '/srv', mode: 0o604, uid: 101, gid: 0 }], '/srv'],
  ])('%j -> %s', (dirs, blocked) => {
    expect(firstBlockedDir(dirs, user)).toBe(blocked);
  });
});

/** 'ok', or the SQLSTATE (or message) a connection attempt failed with. */
async function connects(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  try {
    await client.connect();
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  } finally {
    await client.end().catch(() => {});
  }
}

describe('ensureLocalPostgres', () => {
  let root: TempDir | undefined;
  let locked: TempDir | undefined;
  afterAll(async () => {
    if (root) {
      await stopLocalPostgres(root.path);
      await root.cleanup();
    }
    await locked?.cleanup();
  });

  it.runIf(process.getuid?.() === 0)('as root in a 0700 folder: data where the postgres user can reach it, said once, kept between runs', async () => {
    const closed = await tempDir('cruddur-locked-');
    locked = closed;
    await chmod(closed.path, 0o700);
    const project = `${closed.path}/app`;
    await mkdir(`${project}/.git`, { recursive: true });
    const said: string[] = [];
    const logger: Logger = { info: (m) => said.push(m), warn: (m) => said.push(m), debug() {} };
    try {
      const first = await ensureLocalPostgres(project, logger);
      const dataDir = localPostgresDataDir(project);
      expect(dataDir.startsWith(`${ROOT_DATA_HOME}/app-`)).toBe(true);
      expect(first.dataDir).toBe(dataDir);
      expect(said.filter((m) => m.includes(`cannot enter ${closed.path}`))).toHaveLength(1);
      const client = new pg.Client({ connectionString: first.url('postgres') });
      await client.connect();
      await client.query('CREATE DATABASE kept_private');
      await client.end();
      expect(await stopLocalPostgres(project)).toBe(true);
      said.length = 0;
      const again = await ensureLocalPostgres(project, logger);
      expect(again).toMatchObject({ started: true, port: first.port, dataDir });
      expect(said.some((m) => m.includes('cannot enter'))).toBe(false);
      const check = new pg.Client({ connectionString: again.url('kept_private') });
      await check.connect();
      await check.end();
    } finally {
      await stopLocalPostgres(project);
      const dataDir = localPostgresDataDir(project);
      if (dataDir.startsWith(ROOT_DATA_HOME)) await rm(dirname(dataDir), { recursive: true, force: true });
    }
  }, 120_000);

  it('starts once (even when asked twice at once), keeps its port across restarts, and keeps the data', async () => {
    root = await tempDir('cruddur-local-');
    await chmod(root.path, 0o755);
    await mkdir(`${root.path}/.git`);
    // Two callers at once on a fresh checkout: one initialises and starts, the other waits and reuses it.
    const both = await Promise.all([ensureLocalPostgres(root.path, silentLogger), ensureLocalPostgres(root.path, silentLogger)]);
    expect(both.map((b) => b.started).sort()).toEqual([false, true]);
    expect(both[0]?.port).toBe(both[1]?.port);
    const first = both.find((b) => b.started) as (typeof both)[number];
    expect(existsSync(`${root.path}/.cruddur/postgres.lock`)).toBe(false);
    const state = JSON.parse(await readFile(`${root.path}/.cruddur/postgres.json`, 'utf8')) as { port: number };
    expect(state.port).toBe(first.port);
    const client = new pg.Client({ connectionString: first.url('postgres') });
    await client.connect();
    await client.query('CREATE DATABASE kept');
    await client.end();

    const again = await ensureLocalPostgres(root.path, silentLogger);
    expect(again).toMatchObject({ started: false, port: first.port });

    expect(await stopLocalPostgres(root.path)).toBe(true);
    expect(localPostgresStatus(root.path)).toEqual({ running: false, port: first.port });
    const restarted = await ensureLocalPostgres(root.path, silentLogger);
    expect(restarted).toMatchObject({ started: true, port: first.port });
    const check = new pg.Client({ connectionString: restarted.url('kept') });
    await check.connect();
    expect((await check.query('SELECT current_database() AS db')).rows[0]).toEqual({ db: 'kept' });
    await check.end();
  });

  // A client from another machine or a container arrives from a non-loopback address: this machine's own one.
  const outside = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
  it.runIf(outside)('--listen 0.0.0.0: a client from a non-loopback address gets in with the generated password only', async () => {
    const project = await tempDir('cruddur-remote-');
    await chmod(project.path, 0o755);
    await mkdir(`${project.path}/.git`);
    try {
      const up = await ensureLocalPostgres(project.path, silentLogger, { host: '0.0.0.0' });
      const { password } = JSON.parse(await readFile(`${project.path}/.cruddur/postgres.json`, 'utf8')) as { password: string };
      const from = (secret: string) => postgresUrl(up.port, 'postgres', { host: outside, password: secret });
      // 28000 (no pg_hba.conf entry) before the rule; 28P01: invalid_password.
      expect(await connects(from(password))).toBe('ok');
      expect(await connects(from('postgres'))).toBe('28P01');
      // Once: a second call finds the rule there.
      await ensureLocalPostgres(project.path, silentLogger, { host: '0.0.0.0' });
      expect((await readFile(`${localPostgresDataDir(project.path)}/pg_hba.conf`, 'utf8')).match(/cruddur local up --listen/g)).toHaveLength(1);
    } finally {
      await stopLocalPostgres(project.path);
      await project.cleanup();
    }
  });

  it('a cluster made again (its data folder removed) off 127.0.0.1 takes the recorded password, never `postgres`', async () => {
    const project = await tempDir('cruddur-reset-');
    await chmod(project.path, 0o755);
    await mkdir(`${project.path}/.git`);
    try {
      const first = await ensureLocalPostgres(project.path, silentLogger, { host: '127.0.0.2' });
      const { password } = JSON.parse(await readFile(`${project.path}/.cruddur/postgres.json`, 'utf8')) as { password?: string };
      expect(password).toMatch(/^[\w-]{24}$/);
      expect(await stopLocalPostgres(project.path)).toBe(true);
      await rm(localPostgresDataDir(project.path), { recursive: true, force: true });

      const said: string[] = [];
      const again = await ensureLocalPostgres(project.path, { info: (m) => said.push(m), warn: (m) => said.push(m), debug() {} });
      expect(again).toMatchObject({ started: true, initialised: true, host: '127.0.0.2', port: first.port });
      expect(said).toContain('Set the recorded password (.cruddur/postgres.json) on the new local PostgreSQL cluster');
      expect(await connects(again.url('postgres'))).toBe('ok');
      // 28P01: invalid_password.
      expect(await connects(postgresUrl(again.port, 'postgres', { host: '127.0.0.2' }))).toBe('28P01');
    } finally {
      await stopLocalPostgres(project.path);
      await project.cleanup();
    }
  });
});
