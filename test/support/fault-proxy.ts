import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface FaultOptions {
  /** Share of requests answered with 503 SlowDown (0..1). */
  slowDownRate?: number;
  /** Share of requests answered with 500 InternalError. */
  internalErrorRate?: number;
  /** Share of requests whose connection is reset before any answer. */
  resetRate?: number;
  /** Delay before forwarding each request. */
  latencyMs?: number;
  /** Answer every request with 403 AccessDenied. */
  denyAll?: boolean;
  /** Seed for the fault sequence, so a failing run can be replayed. */
  seed?: number;
}

export interface ProxiedRequest {
  method: string;
  path: string;
  query: string;
  status: number | 'reset';
  injected: boolean;
  /** The body of POST requests (DeleteObjects' key list, multipart completions), once it has passed through. */
  body?: string;
}

/**
 * Test hooks, called synchronously: `request` when a request arrives (before any fault or forwarding),
 * `response` when s3rver's answer is back but not yet passed on (e.g. to SIGKILL the client right after
 * the Nth PUT has landed, without sleeping).
 */
export interface ProxyHooks {
  request?(entry: ProxiedRequest): void;
  response?(entry: ProxiedRequest): void;
}

/** A small deterministic PRNG (mulberry32): the same seed gives the same faults. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const s3Error = (code: string, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>fault-proxy</RequestId></Error>`;

/**
 * A loopback HTTP server for the test proxies: listens on 127.0.0.1 (any free port), and `stop()` is
 * bounded: open client sockets and pooled upstream sockets are destroyed before the server closes.
 */
export abstract class LoopbackProxy {
  endpoint = '';
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  /** For requests to the upstream: no keep-alive, destroyed on stop. */
  protected readonly upstreamAgent = new Agent({ keepAlive: false });

  protected abstract handle(req: IncomingMessage, res: ServerResponse): Promise<void>;

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    // Upstream sockets (pooled or mid-request) would otherwise keep the upstream server from shutting down.
    this.upstreamAgent.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/**
 * A reverse proxy between the CLI and s3rver that injects faults: 503 SlowDown, 500, connection resets,
 * latency, or 403 for everything. The Host header is forwarded as sent, so SigV4 signatures still match.
 * Every request is logged (method, path, outcome) for assertions such as "--dry-run sent only GET/HEAD".
 */
export class FaultProxy extends LoopbackProxy {
  readonly log: ProxiedRequest[] = [];
  hooks: ProxyHooks = {};
  private next: () => number;

  constructor(private readonly target: string, private options: FaultOptions = {}) {
    super();
    this.next = random(options.seed ?? 1);
  }

  configure(options: FaultOptions): void {
    this.options = options;
    this.next = random(options.seed ?? 1);
  }

  injectedCount(): number {
    return this.log.filter((r) => r.injected).length;
  }

  writes(): ProxiedRequest[] {
    return this.log.filter((r) => !['GET', 'HEAD'].includes(r.method));
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const entry: ProxiedRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.search, status: 0, injected: false };
    this.log.push(entry);
    this.hooks.request?.(entry);
    const o = this.options;
    if (o.latencyMs) await new Promise((r) => setTimeout(r, o.latencyMs));
    const roll = this.next();
    const answer = (status: number, body: string) => {
      entry.status = status;
      entry.injected = true;
      req.resume();
      res.writeHead(status, { 'content-type': 'application/xml' });
      res.end(body);
    };
    if (o.denyAll) return answer(403, s3Error('AccessDenied', 'Access Denied'));
    let edge = o.resetRate ?? 0;
    if (roll < edge) {
      entry.status = 'reset';
      entry.injected = true;
      req.socket.destroy();
      return;
    }
    if (roll < (edge += o.slowDownRate ?? 0)) return answer(503, s3Error('SlowDown', 'Please reduce your request rate.'));
    if (roll < (edge += o.internalErrorRate ?? 0)) return answer(500, s3Error('InternalError', 'We encountered an internal error. Please try again.'));
    const target = new URL(this.target);
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent: this.upstreamAgent },
      (response) => {
        entry.status = response.statusCode ?? 0;
        this.hooks.response?.(entry);
        res.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(res);
      },
    );
    upstream.on('error', () => {
      entry.status = 502;
      res.destroy();
    });
    // A client killed mid-body: drop the upstream request too, or s3rver waits for the rest forever (and cannot stop).
    req.on('close', () => {
      if (!req.complete) upstream.destroy();
    });
    if (entry.method === 'POST') {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => (entry.body = Buffer.concat(chunks).toString('utf8')));
    }
    req.pipe(upstream);
  }
}

export async function startFaultProxy(target: string, options: FaultOptions = {}): Promise<FaultProxy> {
  return new FaultProxy(target, options).start();
}
