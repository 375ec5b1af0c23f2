// The child Node process that runs the user's Lambda handler on this machine (started through
// src/core/exec by src/avatar/handler.ts, never imported). Modes, with a JSON request on stdin and one
// result line `@@cruddur {...}` as the last line of stdout (the handler may log before it):
//   probe  <folder>                 can the folder's own sharp load here?
//   invoke <file> <export>          {event}: call the handler once, as Lambda would, with the S3 event;
//                                   its S3 client talks to AWS_ENDPOINT_URL_S3 (the local S3).
//   files  <file> <export>          {bucket, inputFolder, files: [{key, path}]}: a loopback S3 on this
//                                   process serves the files; one event per file; what the handler puts
//                                   comes back base64-encoded.
import { createServer, type IncomingMessage } from 'node:http';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const MARK = '@@cruddur ';
const say = (result: unknown) => process.stdout.write(`\n${MARK}${JSON.stringify(result)}\n`);

async function stdinJson<T>(): Promise<T> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as T;
}

type Send = (this: { config: Record<string, unknown> }, ...args: unknown[]) => unknown;

/**
 * In Lambda a bucket name with dots resolves as a virtual host; on loopback it cannot
 * (`assets.example.org.127.0.0.1`), so the handler's own S3 client is switched to path-style requests.
 * Node loads `@aws-sdk/client-s3` through its "main" (CommonJS) for both `require` and `import`, so
 * patching that one module instance covers either kind of handler.
 */
function pathStyleS3(file: string): void {
  const load = createRequire(file);
  let sdk: { S3Client?: { prototype: { send: Send & { cruddur?: true } } } };
  try {
    sdk = load('@aws-sdk/client-s3') as typeof sdk;
  } catch {
    return;
  }
  const proto = sdk.S3Client?.prototype;
  if (!proto || proto.send.cruddur) return;
  const send = proto.send;
  const wrapped = function (this: { config: Record<string, unknown> }, ...args: unknown[]) {
    this.config.forcePathStyle = true;
    return send.apply(this, args);
  } as Send & { cruddur?: true };
  wrapped.cruddur = true;
  proto.send = wrapped;
}

type Handler = (event: unknown, context: unknown, callback?: (error: unknown, result?: unknown) => void) => unknown;

async function loadHandler(file: string, exportName: string): Promise<Handler> {
  pathStyleS3(file);
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown> & { default?: Record<string, unknown> };
  const handler = mod[exportName] ?? mod.default?.[exportName];
  if (typeof handler !== 'function') throw new Error(`${file} does not export a function named ${exportName}`);
  return handler as Handler;
}

/** Calls the handler like the Node.js Lambda runtime: async, or with a callback when it takes three parameters. */
async function invoke(handler: Handler, event: unknown): Promise<unknown> {
  const deadline = Date.now() + 60_000;
  const context = {
    functionName: 'cruddur-local',
    functionVersion: '$LATEST',
    awsRequestId: `local-${process.pid}-${Date.now()}`,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  if (handler.length >= 3) {
    return new Promise((resolve, reject) => {
      const returned = handler(event, context, (error, result) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(result)));
      if (returned && typeof (returned as Promise<unknown>).then === 'function') (returned as Promise<unknown>).then(resolve, reject);
    });
  }
  return handler(event, context);
}

async function body(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

interface FilesRequest {
  bucket: string;
  events: Array<{ path: string; key: string; event: unknown }>;
}

async function runFiles(file: string, exportName: string): Promise<unknown> {
  const request = await stdinJson<FilesRequest>();
  const inputs = new Map(request.events.map((e) => [`/${request.bucket}/${e.key}`, e.path]));
  const puts: Array<{ bucket: string; key: string; contentType?: string; data: string }> = [];
  const server = createServer((req, res) => {
    void (async () => {
      const path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
      if (req.method === 'GET' && inputs.has(path)) {
        const data = await readFile(inputs.get(path) as string);
        res.writeHead(200, { 'content-length': data.length, 'content-type': 'application/octet-stream', etag: '"local"', 'last-modified': new Date().toUTCString() });
        res.end(data);
      } else if (req.method === 'PUT') {
        const [, bucket = '', ...key] = path.split('/');
        puts.push({ bucket, key: key.join('/'), contentType: req.headers['content-type'], data: (await body(req)).toString('base64') });
        res.writeHead(200, { etag: '"local"' });
        res.end();
      } else {
        res.writeHead(404, { 'content-type': 'application/xml' });
        res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>');
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  process.env.AWS_ENDPOINT_URL_S3 = `http://127.0.0.1:${address.port}`;
  try {
    const handler = await loadHandler(file, exportName);
    const results: Array<{ path: string; error?: string; puts: typeof puts }> = [];
    for (const item of request.events) {
      const before = puts.length;
      try {
        await invoke(handler, item.event);
        results.push({ path: item.path, puts: puts.slice(before) });
      } catch (error) {
        results.push({ path: item.path, error: error instanceof Error ? error.message : String(error), puts: [] });
      }
    }
    return { results };
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

const [mode, target = '', exportName = 'handler'] = process.argv.slice(2);
try {
  if (mode === 'probe') {
    const sharp = createRequire(join(target, 'index.js'))('sharp') as { versions?: { vips?: string } };
    say({ ok: true, sharp: true, vips: sharp.versions?.vips });
  } else if (mode === 'invoke') {
    const { event } = await stdinJson<{ event: unknown }>();
    const result = await invoke(await loadHandler(target, exportName), event);
    say({ ok: true, result: result ?? null });
  } else if (mode === 'files') {
    say({ ok: true, ...((await runFiles(target, exportName)) as object) });
  } else {
    say({ ok: false, error: `unknown mode ${mode}` });
    process.exitCode = 2;
  }
} catch (error) {
  say({ ok: false, error: error instanceof Error ? error.message : String(error) });
  process.exitCode = 1;
}
// The handler's S3 client may keep sockets open (Lambda freezes instead of exiting): end the process.
process.exit();
