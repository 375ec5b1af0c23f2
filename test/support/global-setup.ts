import { existsSync } from 'node:fs';
import { chmod, mkdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { ROOT_DATA_HOME, startPostgres, stopPostgres } from '../../src/local/postgres.js';
import { tempDir, type TempDir } from './tmp.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's shared PostgreSQL (test/support/postgres.ts hands it out): its port and data folder. */
    sharedPostgres: { port: number; dataDir: string };
    /** The run's folder (removed by teardown): each worker's S3 data lives in it (test/support/s3.ts). */
    runDir: string;
  }
}

interface Run {
  dir: TempDir;
  port: number;
  dataDir: string;
  /** Whether the machine had ROOT_DATA_HOME before the run (as root, tests of a project in a closed folder make it). */
  hadDataHome: boolean;
}

let run: Run | undefined;

/**
 * The run's folder, one `cruddur-run-*` under the temp folder, removed by teardown whatever the workers did (vitest
 * ends them with SIGTERM, which runs no exit handler): `postgres/` (the shared server's data), `cache/` (the
 * CRUDDUR_CACHE_DIR every test cluster is copied from, src/local/pg-template.ts) and each worker's `s3-<pid>/`.
 */
async function start(): Promise<Run> {
  const hadDataHome = existsSync(ROOT_DATA_HOME);
  const dir = await tempDir('cruddur-run-');
  // As root the server (and initdb) run as the `postgres` user, which must be able to reach these folders.
  await chmod(dir.path, 0o755);
  const cache = join(dir.path, 'cache');
  await mkdir(cache, { mode: 0o755 });
  // The workers and their CLI children inherit the variable (test/support/cli.ts passes it on).
  process.env.CRUDDUR_CACHE_DIR = cache;
  const dataDir = join(dir.path, 'postgres');
  try {
    const server = await startPostgres({ dataDir });
    return { dir, port: server.port, dataDir, hadDataHome };
  } catch (error) {
    await dir.cleanup();
    throw error;
  }
}

/**
 * One PostgreSQL for the whole run (vitest globalSetup). initdb, start and stop cost about 2 s of CPU and 6 s of
 * wall time each; nineteen files started their own. Files share the server and keep to their own databases and
 * roles (unique names); a file that needs a server of its own (TLS, another auth method) starts one itself.
 */
export async function setup(project: TestProject): Promise<void> {
  run = await start();
  project.provide('sharedPostgres', { port: run.port, dataDir: run.dataDir });
  project.provide('runDir', run.dir.path);
}

/**
 * Stops the server (bounded: fast, then immediate after 10 s) and removes the run's folder, and ROOT_DATA_HOME when
 * the run made it and left it empty (each test purges its project's folder in it).
 */
export async function teardown(): Promise<void> {
  if (!run) return;
  const { dir, dataDir, hadDataHome } = run;
  run = undefined;
  try {
    await stopPostgres(dataDir);
  } finally {
    await dir.cleanup();
    if (!hadDataHome) await rmdir(ROOT_DATA_HOME).catch(() => {});
  }
}
