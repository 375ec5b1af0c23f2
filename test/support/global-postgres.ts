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
  port: number;
  dataDir: string;
}

let shared: Shared | undefined;

async function start(): Promise<Shared> {
  const dir = await tempDir('cruddur-pg-shared-');
  // As root the server runs as the `postgres` user, which must be able to reach its data dir.
  await chmod(dir.path, 0o755);
  const dataDir = `${dir.path}/data`;
  try {
    const server = await startPostgres({ dataDir });
    return { dir, port: server.port, dataDir };
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
  shared = await start();
  project.provide('sharedPostgres', { port: shared.port, dataDir: shared.dataDir });
}

/** Stops the server (bounded: fast, then immediate after 10 s) and removes its data folder. */
export async function teardown(): Promise<void> {
  if (!shared) return;
  const { dir, dataDir } = shared;
  shared = undefined;
  try {
    await stopPostgres(dataDir);
  } finally {
    await dir.cleanup();
  }
}
