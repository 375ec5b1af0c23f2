import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * A proxy in front of dynalite that answers some BatchWriteItem calls the way a throttled DynamoDB does:
 * it forwards only the first part of the batch and returns the rest as `UnprocessedItems` (those items
 * are NOT written). dynalite checks the signature's form, not its value, so the shortened body passes.
 */
export class DdbFaultProxy {
  endpoint = '';
  /** BatchWriteItem calls seen, and how many of them were cut short. */
  batchCalls = 0;
  faultedCalls = 0;
  /** Items held back in all (sent back as UnprocessedItems). */
  heldBack = 0;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly agent = new Agent({ keepAlive: false });

  /** `shouldFault(n)` decides for the n-th BatchWriteItem call (1-based); `keep` how many requests go through. */
  constructor(
    private readonly target: string,
    private readonly shouldFault: (call: number) => boolean,
    private readonly keep: (count: number) => number = (count) => Math.floor(count / 2),
  ) {}

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
    this.agent.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body = Buffer.concat(chunks);
    let held: Record<string, unknown[]> | undefined;
    if (String(req.headers['x-amz-target'] ?? '').endsWith('.BatchWriteItem')) {
      this.batchCalls += 1;
      if (this.shouldFault(this.batchCalls)) {
        const request = JSON.parse(body.toString('utf8')) as { RequestItems: Record<string, unknown[]> };
        held = {};
        for (const [table, writes] of Object.entries(request.RequestItems)) {
          const keep = this.keep(writes.length);
          held[table] = writes.slice(keep);
          request.RequestItems[table] = writes.slice(0, keep);
          this.heldBack += writes.length - keep;
        }
        // An empty list is a ValidationException: when nothing goes through, answer without forwarding.
        request.RequestItems = Object.fromEntries(Object.entries(request.RequestItems).filter(([, w]) => w.length > 0));
        this.faultedCalls += 1;
        if (Object.keys(request.RequestItems).length === 0) return this.answer(res, 200, { UnprocessedItems: held });
        body = Buffer.from(JSON.stringify(request));
      }
    }
    const url = new URL(this.target);
    const upstream = httpRequest(
      { host: url.hostname, port: url.port, path: req.url, method: req.method, headers: { ...req.headers, 'content-length': String(body.length) }, agent: this.agent },
      (answer) => {
        const parts: Buffer[] = [];
        answer.on('data', (d: Buffer) => parts.push(d));
        answer.on('end', () => {
          const text = Buffer.concat(parts).toString('utf8');
          if (!held || answer.statusCode !== 200) {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            return res.end(text);
          }
          const result = JSON.parse(text) as { UnprocessedItems?: Record<string, unknown[]> };
          const unprocessed: Record<string, unknown[]> = { ...(result.UnprocessedItems ?? {}) };
          for (const [table, writes] of Object.entries(held)) unprocessed[table] = [...(unprocessed[table] ?? []), ...writes];
          this.answer(res, 200, { ...result, UnprocessedItems: unprocessed });
        });
      },
    );
    upstream.on('error', () => {
      res.destroy();
    });
    upstream.end(body);
  }

  /** A JSON answer without x-amz-crc32 (the SDK checks that header against the body when present). */
  private answer(res: ServerResponse, status: number, json: unknown): void {
    const text = JSON.stringify(json);
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }
}
