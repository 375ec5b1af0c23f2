// The local S3 process, the one way S3 runs locally (`local up` and the tests alike): s3rver with its buckets and,
// for `local up`, the thumbnail worker and the local DynamoDB (dynalite, see dynamodb.ts). Started by s3-server.ts
// with --openssl-legacy-provider, because s3rver encrypts ListObjects continuation tokens with DES, which OpenSSL 3
// only offers through the legacy provider. (PostgreSQL is not here: it runs as its own daemon through pg_ctl, see
// postgres.ts.) argv[2] is a JSON SupervisorConfig. Prints one JSON line on stdout when ready
// ({"port": N, "dynamodbPort": N}) or failed ({"error": "..."}). Stops on SIGTERM/SIGINT and, when tied to its
// parent, when its stdin closes.
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:net';
import S3rver from 's3rver';
import type { LocalDynamoHandle } from './dynamodb.js';
import type { SupervisorConfig } from './s3-server.js';

const config = JSON.parse(process.argv[2] ?? '{}') as SupervisorConfig;
const host = config.host ?? '127.0.0.1';
const log = (line: string) => {
  if (config.logFile) appendFileSync(config.logFile, `${new Date().toISOString()} ${line}\n`);
};
const say = (message: object) => process.stdout.write(`${JSON.stringify(message)}\n`);

/**
 * The wanted port when nothing listens on it on the listen address, else 0 (any free port). An explicit port
 * (`local up --port N`) is used as given: taken, the server fails to listen and says so.
 */
function portIfFree(port: number, strict: boolean | undefined): Promise<number> {
  if (!port || strict) return Promise.resolve(port ?? 0);
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(0));
    probe.listen(port, host, () => probe.close(() => resolve(port)));
  });
}

let s3: S3rver | undefined;
let dynamo: LocalDynamoHandle | undefined;
let stopping = false;

async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    // Open keep-alive connections would hold close() until they time out: end them now.
    (s3 as unknown as { httpServer?: { closeAllConnections(): void } } | undefined)?.httpServer?.closeAllConnections();
    await s3?.close().catch(() => {});
    await dynamo?.close().catch(() => {});
    log('stopped');
  }
  process.exit(code);
}

process.on('SIGTERM', () => void stop(0));
process.on('SIGINT', () => void stop(0));
if (config.watchParent) {
  process.stdin.on('end', () => void stop(0));
  process.stdin.resume();
}

try {
  log(`starting (pid ${process.pid})`);
  s3 = new S3rver({
    address: host,
    port: await portIfFree(config.port, config.strictPort),
    directory: config.directory,
    silent: true,
    configureBuckets: config.buckets.map((name) => ({ name, configs: [] })),
  });
  const address = (await s3.run()) as { port: number };
  if (config.dynamodb) {
    const { startLocalDynamo } = await import('./dynamodb.js');
    dynamo = await startLocalDynamo({ directory: config.dynamodb.directory, host, port: await portIfFree(config.dynamodb.port, config.dynamodb.strictPort) });
  }
  let worker = 'off';
  if (config.thumbnails) {
    const { startThumbnailWorker } = await import('./thumbnail-worker.js');
    worker = await startThumbnailWorker(s3, { endpoint: `http://${host}:${address.port}`, ...config.thumbnails, log });
  }
  log(`ready: s3 ${host}:${address.port}${dynamo ? `; dynamodb ${host}:${dynamo.port}` : ''}; thumbnail worker ${worker}`);
  say({ port: address.port, ...(dynamo ? { dynamodbPort: dynamo.port } : {}) });
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  log(`failed: ${message}`);
  say({ error: message });
  await stop(1);
}
