import { chmod } from 'node:fs/promises';
import type { TestProject } from 'vitest/node';
import { startPostgres, stopPostgres } from '../../src/local/postgres.js';
import { tempDir, type TempDir } from './tmp.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's shared PostgreSQL (test/support/postgres.ts hands it out): its port and data folder. */
    sharedPostgres: { port: number; dataDir: string };
  }
}

interface Shared {
  dir: TempDir;
  /** The run's CRUDDUR_CACHE_DIR: the cluster template every test cluster is copied from (src/local/pg-template.ts). */
  cache: TempDir;
  port: number;
  dataDir: string;
}

let shared: Shared | undefined;

async function start(): Promise<Shared> {
  const dir = await tempDir('cruddur-pg-shared-');
  const cache = await tempDir('cruddur-cache-');
  // As root the server (and initdb) run as the `postgres` user, which must be able to reach these folders.
  await chmod(dir.path, 0o755);
  await chmod(cache.path, 0o755);
  // The run's clusters share a template made here, not the machine's: the workers and their CLI children inherit
  // the variable (test/support/cli.ts passes it on), and teardown removes it.
  process.env.CRUDDUR_CACHE_DIR = cache.path;
  const dataDir = `${dir.path}/data`;
  try {
    const server = await startPostgres({ dataDir });
    return { dir, cache, port: server.port, dataDir };
  } catch (error) {
    await dir.cleanup();
    await cache.cleanup();
    throw error;
  }
}

/**
 * One PostgreSQL for the whole run (vitest globalSetup), and the run's cluster template (CRUDDUR_CACHE_DIR): initdb,
 * start and stop cost about 2 s of CPU and 6 s of wall time each; nineteen files started their own. Files share the server and keep to their own databases and
 * roles (unique names); a file that needs a server of its own (TLS, another auth method) starts one itself.
 */
export async function setup(project: TestProject): Promise<void> {
  shared = await start();
  project.provide('sharedPostgres', { port: shared.port, dataDir: shared.dataDir });
}

/** Stops the server (bounded: fast, then immediate after 10 s) and removes its data folder. */
export async function teardown(): Promise<void> {
  if (!shared) return;
  const { dir, cache, dataDir } = shared;
  shared = undefined;
  try {
    await stopPostgres(dataDir);
  } finally {
    await dir.cleanup();
    await cache.cleanup();
  }
}
