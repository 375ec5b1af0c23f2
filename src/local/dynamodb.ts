// The local DynamoDB: dynalite (DynamoDB's HTTP API in Node, over LevelDB) inside the supervisor process,
// data under .cruddur/dynamodb. It accepts any signed request, so the stack's placeholder keys (local.env) do.
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import { mkdir } from 'node:fs/promises';

export interface LocalDynamoOptions {
  /** LevelDB folder; omitted: in memory (tests). */
  directory?: string;
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  /** 0 or omitted: a free port. */
  port?: number;
  /** How long a new table stays CREATING (and a deleted one DELETING), in ms; AWS takes seconds. Default 100. */
  tableStateMs?: number;
}

export interface LocalDynamoHandle {
  port: number;
  endpoint: string;
  close(): Promise<void>;
}

type Dynalite = (options: Record<string, unknown>) => Server;

/**
 * Starts dynalite on host:port. Resolves once it listens; rejects when the port is taken or the LevelDB
 * folder is locked by another process (LevelDB allows one).
 */
export async function startLocalDynamo(options: LocalDynamoOptions = {}): Promise<LocalDynamoHandle> {
  const dynalite = createRequire(import.meta.url)('dynalite') as Dynalite;
  if (options.directory) await mkdir(options.directory, { recursive: true });
  const ms = options.tableStateMs ?? 100;
  const server = dynalite({ ...(options.directory ? { path: options.directory } : {}), createTableMs: ms, deleteTableMs: ms, updateTableMs: ms });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    endpoint: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        // Keep-alive connections would hold close() (dynalite waits up to 30 s for them): end them now.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
