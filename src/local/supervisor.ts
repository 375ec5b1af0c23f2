// The local stack's long-running process: s3rver with the buckets, dynalite (DynamoDB), and the thumbnail worker.
// (PostgreSQL is not here: it runs as its own daemon through pg_ctl, see pg-instance.ts, so it survives
// this process and serves `db` commands with or without `local up`.) Started with
// --openssl-legacy-provider so s3rver's DES continuation tokens work. Prints one JSON line on stdout
// when ready ({"s3Port": N, "dynamodbPort": N}) or failed ({"error": "..."}); logs go to .cruddur/local.log.
import { appendFileSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import S3rver from 's3rver';
import { startLocalDynamo, type LocalDynamoHandle } from './dynamodb.js';
import { freePort } from './net.js';
import { localPaths, type LocalBuckets } from './state.js';
import { startThumbnailWorker } from './thumbnail-worker.js';

interface SupervisorConfig {
  root: string;
  buckets: LocalBuckets;
  /** Listen address (default 127.0.0.1). */
  host?: string;
  /** Explicit ports (`local up --port N`: S3 N+1, DynamoDB N+2), used as given or failing. */
  ports?: { s3: number; dynamodb: number };
}

const config = JSON.parse(process.argv[2] ?? '{}') as SupervisorConfig;
const host = config.host ?? '127.0.0.1';
const paths = localPaths(config.root);
const portsFile = join(paths.dir, 'ports.json');
const log = (line: string) => appendFileSync(paths.log, `${new Date().toISOString()} ${line}\n`);
const say = (message: object) => process.stdout.write(`${JSON.stringify(message)}\n`);

/** The port a service used last time, so its AWS_ENDPOINT_URL_* stays the same across restarts when it is free. */
function previousPort(service: 's3' | 'dynamodb'): number | undefined {
  try {
    return (JSON.parse(readFileSync(portsFile, 'utf8')) as { s3?: number; dynamodb?: number })[service];
  } catch {
    return undefined;
  }
}

async function portIfFree(port: number | undefined): Promise<number> {
  if (!port) return freePort(host);
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(freePort(host)));
    server.listen(port, host, () => server.close(() => resolve(port)));
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

try {
  log(`starting (pid ${process.pid})`);
  s3 = new S3rver({
    address: host,
    port: config.ports?.s3 ?? (await portIfFree(previousPort('s3'))),
    directory: paths.s3,
    silent: true,
    configureBuckets: Object.values(config.buckets).map((name) => ({ name, configs: [] })),
  });
  const address = (await s3.run()) as { port: number };
  dynamo = await startLocalDynamo({ directory: paths.dynamodb, host, port: config.ports?.dynamodb ?? (await portIfFree(previousPort('dynamodb'))) });
  await writeFile(portsFile, JSON.stringify({ s3: address.port, dynamodb: dynamo.port }));
  const worker = await startThumbnailWorker(s3, { endpoint: `http://${host}:${address.port}`, uploads: config.buckets.uploads, assets: config.buckets.assets, log });
  log(`ready: s3 ${host}:${address.port}; dynamodb ${host}:${dynamo.port}; thumbnail worker ${worker}`);
  say({ s3Port: address.port, dynamodbPort: dynamo.port });
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  log(`failed: ${message}`);
  say({ error: message });
  await stop(1);
}
