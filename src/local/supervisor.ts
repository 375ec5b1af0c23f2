// The local stack's long-running process (`cruddur local up` starts it, detached or in the foreground).
// Runs with --openssl-legacy-provider so s3rver's DES continuation tokens work. Prints one JSON line on
// stdout when ready ({"ready": true}) or failed ({"error": "..."}); logs go to .cruddur/local.log.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import S3rver from 's3rver';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from './postgres.js';
import { freePort } from './net.js';
import { clearLocalState, isAlive, LOCAL_DATABASE, waitForExitOf, localPaths, writeLocalState, type LocalBuckets } from './state.js';
import { startThumbnailWorker } from './thumbnail-worker.js';

interface SupervisorConfig {
  root: string;
  buckets: LocalBuckets;
}

const config = JSON.parse(process.argv[2] ?? '{}') as SupervisorConfig;
const paths = localPaths(config.root);
const portsFile = join(paths.dir, 'ports.json');
const log = (line: string) => appendFileSync(paths.log, `${new Date().toISOString()} ${line}\n`);
const say = (message: object) => process.stdout.write(`${JSON.stringify(message)}\n`);

/** The ports used last time, so CONNECTION_URL stays the same across restarts when they are free. */
function previousPorts(): { postgres?: number; s3?: number } {
  try {
    return JSON.parse(readFileSync(portsFile, 'utf8')) as { postgres?: number; s3?: number };
  } catch {
    return {};
  }
}

async function portIfFree(port: number | undefined): Promise<number> {
  if (!port) return freePort();
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(freePort()));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(port)));
  });
}

/** A PostgreSQL left running by a killed supervisor still holds the data dir: stop it first. */
async function stopOrphanedPostgres(): Promise<void> {
  const pidFile = join(paths.postgres, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
  if (!isAlive(pid)) return;
  log(`stopping orphaned PostgreSQL (pid ${pid}) left by an earlier run`);
  process.kill(pid, 'SIGINT');
  if (!(await waitForExitOf(pid, 15_000))) process.kill(pid, 'SIGKILL');
}

async function ensureDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [LOCAL_DATABASE]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${LOCAL_DATABASE}"`);
  } finally {
    await client.end();
  }
}

let postgres: EmbeddedPostgresHandle | undefined;
let s3: S3rver | undefined;
let stopping = false;

async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    log('stopping');
    await s3?.close().catch(() => {});
    await postgres?.stop().catch((e: unknown) => log(`postgres stop: ${String(e)}`));
    await clearLocalState(config.root).catch(() => {});
    log('stopped');
  }
  process.exit(code);
}

process.on('SIGTERM', () => void stop(0));
process.on('SIGINT', () => void stop(0));

try {
  log(`starting (pid ${process.pid})`);
  await stopOrphanedPostgres();
  const ports = previousPorts();
  postgres = await startEmbeddedPostgres({ dataDir: paths.postgres, port: await portIfFree(ports.postgres), onLog: (l) => log(`postgres: ${l.trim()}`) });
  await ensureDatabase(postgres.url('postgres'));
  s3 = new S3rver({
    address: '127.0.0.1',
    port: await portIfFree(ports.s3),
    directory: paths.s3,
    silent: true,
    configureBuckets: Object.values(config.buckets).map((name) => ({ name, configs: [] })),
  });
  const address = (await s3.run()) as { port: number };
  await writeFile(portsFile, JSON.stringify({ postgres: postgres.port, s3: address.port }));
  const worker = await startThumbnailWorker(s3, { endpoint: `http://127.0.0.1:${address.port}`, uploads: config.buckets.uploads, assets: config.buckets.assets, log });
  log(`thumbnail worker: ${worker}`);
  const pgPid = Number.parseInt(readFileSync(join(paths.postgres, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '', 10);
  await writeLocalState(config.root, {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    database: LOCAL_DATABASE,
    postgres: { port: postgres.port, pid: Number.isFinite(pgPid) ? pgPid : undefined },
    s3: { port: address.port },
    buckets: config.buckets,
  });
  log(`ready: postgres 127.0.0.1:${postgres.port}, s3 127.0.0.1:${address.port}`);
  say({ ready: true });
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  log(`failed: ${message}`);
  say({ error: message });
  await stop(1);
}
