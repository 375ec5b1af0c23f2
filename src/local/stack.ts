import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CruddurError } from '../core/errors.js';
import type { Logger } from '../core/output.js';
import { canConnect } from './net.js';
import { ensureLocalPostgres, LOCAL_DATABASE, localPostgresPaths, localPostgresStatus, runningPostmaster, stopLocalPostgres } from './pg-instance.js';
import { clearLocalState, ignoreCruddurDir, isAlive, localBuckets, localEnv, localPaths, readLocalState, waitForExitOf, writeLocalState, type LocalState } from './state.js';

// Resolves to dist/ from both src/local (tests) and dist/local (the CLI).
const SUPERVISOR = fileURLToPath(new URL('../../dist/local/supervisor.js', import.meta.url));

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
  timeoutMs?: number;
}

function supervisorFailed(why: string, root: string): CruddurError {
  return new CruddurError(`The local stack did not start: ${why}`, {
    suggestion: `see ${localPaths(root).log} (cruddur local logs), then run \`cruddur local down\` and try again`,
    code: 'LOCAL_START_FAILED',
  });
}

/**
 * Starts embedded PostgreSQL, s3rver with the uploads/assets/site buckets and the thumbnail worker in
 * one supervisor process. Reports an already running stack instead of starting twice; replaces a stale
 * state file left by a killed supervisor.
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
  const recoveredStale = existing !== undefined || existsSync(paths.state);
  if (recoveredStale) {
    logger.warn(`found a stale ${paths.state} (its process${existing ? ` ${existing.pid}` : ''} is gone); starting afresh`);
    await clearLocalState(root);
  }
  await mkdir(paths.dir, { recursive: true, mode: 0o755 });
  await ignoreCruddurDir(paths.dir);
  // PostgreSQL is its own daemon (the same one `db` commands start on demand): reused when it runs.
  const postgres = await ensureLocalPostgres(root, logger, { host: options.listen, port: options.port });
  const { password } = localPostgresStatus(root);
  const [{ createDatabase }, { parseTarget }] = await Promise.all([import('../db/admin.js'), import('../db/connection.js')]);
  await createDatabase(parseTarget(postgres.url(LOCAL_DATABASE), 'local'), logger);
  const config = JSON.stringify({
    root,
    buckets: localBuckets(env),
    host: postgres.host,
    ...(options.port !== undefined ? { ports: { s3: options.port + 1, dynamodb: options.port + 2 } } : {}),
  });
  const child = spawn(process.execPath, ['--openssl-legacy-provider', SUPERVISOR, config], {
    cwd: root,
    detached: !options.foreground,
    stdio: ['ignore', 'pipe', options.foreground ? 'inherit' : 'ignore'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const ready = await new Promise<{ s3Port?: number; dynamodbPort?: number; error?: string }>((resolve) => {
    const timer = setTimeout(() => resolve({ error: `not ready after ${(options.timeoutMs ?? 60_000) / 1000} s` }), options.timeoutMs ?? 60_000);
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    child.once('exit', (code) => resolve({ error: `the supervisor exited with code ${code}` }));
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(line) as { s3Port?: number; dynamodbPort?: number; error?: string });
      } catch {
        resolve({ error: line });
      }
    });
  });
  if (!ready.s3Port) {
    if (child.exitCode === null) child.kill('SIGTERM');
    throw supervisorFailed(ready.error ?? 'unknown', root);
  }
  child.removeAllListeners('exit');
  const state: LocalState = {
    pid: child.pid ?? 0,
    startedAt: new Date().toISOString(),
    ...(postgres.host !== '127.0.0.1' ? { host: postgres.host } : {}),
    database: LOCAL_DATABASE,
    postgres: { port: postgres.port, pid: runningPostmaster(postgres.dataDir)?.pid, ...(password ? { password } : {}) },
    s3: { port: ready.s3Port },
    ...(ready.dynamodbPort ? { dynamodb: { port: ready.dynamodbPort } } : {}),
    buckets: localBuckets(env),
  };
  await writeLocalState(root, state);
  if (!options.foreground) {
    (child.stdout as NodeJS.ReadableStream & { destroy(): void }).destroy();
    child.unref();
  }
  return { status: 'started', recoveredStale, ms: Date.now() - started, state, env: localEnv(state) };
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
    await Promise.all([paths.postgres, paths.s3, paths.dynamodb, `${paths.dir}/ports.json`, localPostgresPaths(root).stateFile, paths.log].map((p) => rm(p, { recursive: true, force: true })));
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
