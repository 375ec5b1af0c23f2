import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CruddurError } from '../core/errors.js';
import { writeFilesAtomic } from '../core/fs.js';
import type { Logger } from '../core/output.js';
import { canConnect } from './net.js';
import { checkPostgresPrograms, ensureDatabase, ensureLocalPostgres, LOCAL_DATABASE, localPostgresDataDir, localPostgresPaths, localPostgresStatus, postgresUrl, runningPostmaster, stopLocalPostgres } from './postgres.js';
import { s3rverEnv, startS3Server } from './s3-server.js';
import { clearLocalState, ignoreCruddurDir, isAlive, localBuckets, localPaths, readLocalState, waitForExitOf, type LocalState } from './state.js';

export interface LocalUpResult {
  status: 'started' | 'already-running';
  /** Set when a stale .cruddur/local.json (its process gone) was found and replaced. */
  recoveredStale: boolean;
  ms: number;
  state: LocalState;
  env: Record<string, string>;
}

export interface LocalUpOptions {
  foreground: boolean;
  /** `--listen ADDRESS`: bind PostgreSQL, S3 and DynamoDB there (kept for later runs; default 127.0.0.1). */
  listen?: string;
  /** `--port N`: PostgreSQL on N, S3 on N+1, DynamoDB on N+2 (each used as given, or an error). */
  port?: number;
}

/** The variables every command reads when no real setting exists (lowest precedence). */
export function localEnv(state: LocalState): Record<string, string> {
  const host = state.host ?? '127.0.0.1';
  return {
    CONNECTION_URL: postgresUrl(state.postgres.port, state.database, { host, password: state.postgres.password }),
    ...s3rverEnv(`http://${host}:${state.s3.port}`),
    ...(state.dynamodb ? { AWS_ENDPOINT_URL_DYNAMODB: `http://${host}:${state.dynamodb.port}` } : {}),
    UPLOADS_BUCKET_NAME: state.buckets.uploads,
    ASSETS_BUCKET_NAME: state.buckets.assets,
    SYNC_S3_BUCKET: state.buckets.site,
  };
}

async function writeLocalState(root: string, state: LocalState): Promise<void> {
  const paths = localPaths(root);
  const env = Object.entries(localEnv(state)).map(([k, v]) => `${k}=${v}`).join('\n');
  await writeFilesAtomic([
    { path: paths.state, content: `${JSON.stringify(state, null, 2)}\n`, mode: 0o600 },
    { path: paths.env, content: `# written by \`cruddur local up\`; removed by \`cruddur local down\`\n${env}\n`, mode: 0o600 },
  ]);
}

/** The S3 and DynamoDB ports used last time, so AWS_ENDPOINT_URL_S3/_DYNAMODB stay the same across restarts when free. */
async function previousPorts(root: string): Promise<{ s3?: number; dynamodb?: number }> {
  try {
    const ports = JSON.parse(await readFile(join(localPaths(root).dir, 'ports.json'), 'utf8')) as { s3?: unknown; dynamodb?: unknown };
    const valid = (p: unknown) => (typeof p === 'number' && Number.isInteger(p) && p > 0 && p < 65536 ? p : undefined);
    return { s3: valid(ports.s3), dynamodb: valid(ports.dynamodb) };
  } catch {
    return {};
  }
}

/**
 * Starts the project's PostgreSQL (postgres.ts, shared with `db` commands) with its `cruddur` database, and the
 * local S3 process (s3-server.ts: s3rver with the uploads/assets/site buckets, the thumbnail worker and dynalite,
 * data in .cruddur/dynamodb). All on 127.0.0.1, or on `listen` (kept for later runs); `port` puts PostgreSQL on N,
 * S3 on N+1 and DynamoDB on N+2, each used as given or an error. Reports an already running stack instead of
 * starting twice (LOCAL_ALREADY_RUNNING when asked for another address or port); replaces a stale state file left
 * by a killed process.
 */
export async function localUp(root: string, env: Readonly<Record<string, string | undefined>>, options: LocalUpOptions, logger: Logger): Promise<LocalUpResult> {
  const started = Date.now();
  const paths = localPaths(root);
  const existing = await readLocalState(root);
  if (existing && isAlive(existing.pid)) {
    const host = existing.host ?? '127.0.0.1';
    if ((options.listen !== undefined && options.listen !== host) || (options.port !== undefined && options.port !== existing.postgres.port)) {
      throw new CruddurError(`The local stack is already running on ${host} (PostgreSQL port ${existing.postgres.port})`, {
        suggestion: 'stop it with `cruddur local down`, then run `cruddur local up` with the new --listen/--port',
        code: 'LOCAL_ALREADY_RUNNING',
      });
    }
    return { status: 'already-running', recoveredStale: false, ms: Date.now() - started, state: existing, env: localEnv(existing) };
  }
  if (options.port !== undefined) {
    // S3 and DynamoDB take the next two ports: a taken one is said now, before anything starts.
    const probe = options.listen === undefined || options.listen === '0.0.0.0' ? '127.0.0.1' : options.listen;
    for (const [service, port] of [['S3', options.port + 1], ['DynamoDB', options.port + 2]] as const) {
      if (await canConnect(port, 1000, probe)) {
        throw new CruddurError(`Port ${port} on ${probe} (the local ${service} API: --port ${options.port} uses ${options.port}, ${options.port + 1} and ${options.port + 2}) is taken by another program`, {
          suggestion: 'choose another --port, or stop the program using it',
          code: 'LOCAL_PORT_TAKEN',
        });
      }
    }
  }
  // PostgreSQL's programs (as root, copied where the `postgres` user reaches them) before the stack's files are written.
  await checkPostgresPrograms(logger);
  const recoveredStale = existing !== undefined || existsSync(paths.state);
  if (recoveredStale) {
    logger.warn(`found a stale ${paths.state} (its process${existing ? ` ${existing.pid}` : ''} is gone); starting afresh`);
    await clearLocalState(root);
  }
  await mkdir(paths.dir, { recursive: true, mode: 0o755 });
  await ignoreCruddurDir(paths.dir);
  // PostgreSQL is its own daemon (the same one `db` commands start on demand): reused when it runs, and
  // stopped again when this start fails after starting it (no server left that `local status` does not show).
  const postgresWasRunning = localPostgresStatus(root).running;
  const postgres = await ensureLocalPostgres(root, logger, { host: options.listen, port: options.port });
  try {
    const { password } = localPostgresStatus(root);
    await ensureDatabase(postgres, LOCAL_DATABASE);
    // The avatar buckets as the avatar commands resolve them (THUMBING_BUCKET_NAME, assets.<DOMAIN_NAME>, ...).
    const [{ loadProjectConfig }, { resolveAvatarConfig }] = await Promise.all([import('../core/config.js'), import('../avatar/config.js')]);
    const avatar = resolveAvatarConfig(loadProjectConfig({ cwd: root }));
    const defaults = localBuckets(env);
    const buckets = { ...defaults, uploads: avatar.uploadsBucket?.value ?? defaults.uploads, assets: avatar.assetsBucket?.value ?? defaults.assets };
    const previous = await previousPorts(root);
    const explicit = options.port !== undefined;
    const s3 = await startS3Server({
      directory: paths.s3,
      port: explicit ? options.port! + 1 : previous.s3,
      strictPort: explicit,
      host: postgres.host,
      dynamodb: { directory: paths.dynamodb, port: explicit ? options.port! + 2 : previous.dynamodb, strictPort: explicit },
      buckets: [...new Set(Object.values(buckets))],
      thumbnails: { uploads: buckets.uploads, assets: buckets.assets, root },
      logFile: paths.log,
      detached: !options.foreground,
      inheritStderr: options.foreground,
      cwd: root,
    });
    const state: LocalState = {
      pid: s3.pid,
      startedAt: new Date().toISOString(),
      ...(postgres.host !== '127.0.0.1' ? { host: postgres.host } : {}),
      database: LOCAL_DATABASE,
      postgres: { port: postgres.port, pid: runningPostmaster(postgres.dataDir)?.pid, ...(password ? { password } : {}) },
      s3: { port: s3.port },
      ...(s3.dynamodb ? { dynamodb: { port: s3.dynamodb.port } } : {}),
      buckets,
    };
    await writeFilesAtomic([{ path: join(paths.dir, 'ports.json'), content: JSON.stringify({ s3: s3.port, ...(s3.dynamodb ? { dynamodb: s3.dynamodb.port } : {}) }) }]);
    await writeLocalState(root, state);
    return { status: 'started', recoveredStale, ms: Date.now() - started, state, env: localEnv(state) };
  } catch (error) {
    if (!postgresWasRunning) await stopLocalPostgres(root).catch(() => undefined);
    throw error;
  }
}

/** In the foreground: resolves when the supervisor exits (Ctrl-C is forwarded by the terminal's process group). */
export async function waitForExit(state: LocalState): Promise<void> {
  await waitForExitOf(state.pid, Number.POSITIVE_INFINITY);
}

export interface LocalDownResult {
  status: 'stopped' | 'not-running';
  purged: boolean;
}

export async function localDown(root: string, options: { purge: boolean; timeoutMs?: number }, logger: Logger): Promise<LocalDownResult> {
  const paths = localPaths(root);
  const state = await readLocalState(root);
  let status: LocalDownResult['status'] = 'not-running';
  if (state && isAlive(state.pid)) {
    process.kill(state.pid, 'SIGTERM');
    if (!(await waitForExitOf(state.pid, options.timeoutMs ?? 30_000))) {
      logger.warn(`the supervisor (pid ${state.pid}) did not stop in time; killing it`);
      process.kill(state.pid, 'SIGKILL');
    }
    status = 'stopped';
  }
  // Also stops a PostgreSQL that `db` commands started on demand without `local up`.
  if (await stopLocalPostgres(root)) status = 'stopped';
  await clearLocalState(root);
  if (options.purge) {
    // The data folder may live outside the project (root in a private folder): read it before its record goes.
    const dataDir = localPostgresDataDir(root);
    const outside = dataDir !== localPostgresPaths(root).defaultDataDir;
    await Promise.all([outside ? dirname(dataDir) : dataDir, paths.s3, paths.dynamodb, `${paths.dir}/ports.json`, localPostgresPaths(root).stateFile, paths.log].map((p) => rm(p, { recursive: true, force: true })));
  }
  return { status, purged: options.purge };
}

export interface LocalStatus {
  running: boolean;
  stale: boolean;
  pid?: number;
  startedAt?: string;
  host?: string;
  postgres?: { port: number; reachable: boolean };
  s3?: { endpoint: string; reachable: boolean };
  dynamodb?: { endpoint: string; reachable: boolean };
  buckets?: LocalState['buckets'];
}

export async function localStatus(root: string): Promise<LocalStatus> {
  const state = await readLocalState(root);
  if (!state) return { running: false, stale: existsSync(localPaths(root).state) };
  const alive = isAlive(state.pid);
  const pgPort = localPostgresStatus(root).port ?? state.postgres.port;
  const dynamoPort = state.dynamodb?.port;
  const host = state.host ?? '127.0.0.1';
  const [pgUp, s3Up, dynamoUp] = await Promise.all([canConnect(pgPort, 1000, host), canConnect(state.s3.port, 1000, host), dynamoPort ? canConnect(dynamoPort, 1000, host) : false]);
  return {
    running: alive && pgUp && s3Up && (dynamoPort === undefined || dynamoUp),
    stale: !alive,
    pid: state.pid,
    startedAt: state.startedAt,
    host,
    postgres: { port: pgPort, reachable: pgUp },
    s3: { endpoint: `http://${host}:${state.s3.port}`, reachable: s3Up },
    ...(dynamoPort ? { dynamodb: { endpoint: `http://${host}:${dynamoPort}`, reachable: dynamoUp } } : {}),
    buckets: state.buckets,
  };
}

export async function localLogs(root: string, lines: number): Promise<string[]> {
  const file = localPaths(root).log;
  if (!existsSync(file)) return [];
  const all = (await readFile(file, 'utf8')).trimEnd().split('\n');
  return all.slice(-lines);
}
