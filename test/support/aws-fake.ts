import { createServer, type IncomingMessage, type Server } from 'node:http';

/** One request as the fake AWS endpoint received it. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
  /** X-Amz-Target for JSON protocols (ECR, Cognito), e.g. `AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken`. */
  target: string | undefined;
  /** The Action parameter of query protocols (EC2, STS), from the form body. */
  action: string | undefined;
  form: Record<string, string>;
}

export interface FakeResponse {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
}

type Route = { match: (r: RecordedRequest) => boolean; respond: (r: RecordedRequest) => FakeResponse };

/**
 * A local HTTP stand-in for AWS services that have no emulator (ECR, CloudFront, EC2, STS, Cognito),
 * so the built CLI can run as a process against it (AWS_ENDPOINT_URL_<SERVICE>). Every request is
 * recorded for exact assertions; an unmatched request answers 500 so a test cannot pass by accident.
 */
export class FakeAws {
  readonly requests: RecordedRequest[] = [];
  private readonly routes: Route[] = [];
  private server: Server | undefined;
  endpoint = '';

  /** Answers requests whose X-Amz-Target ends with `.${operation}` or whose Action is `operation`. */
  onOperation(operation: string, respond: (r: RecordedRequest) => FakeResponse): this {
    return this.on((r) => r.action === operation || (r.target?.endsWith(`.${operation}`) ?? false), respond);
  }

  on(match: Route['match'], respond: Route['respond']): this {
    this.routes.push({ match, respond });
    return this;
  }

  operations(): string[] {
    return this.requests.map((r) => r.action ?? r.target?.split('.').pop() ?? `${r.method} ${r.path}`);
  }

  async start(): Promise<this> {
    this.server = createServer(async (req, res) => {
      const recorded = await record(req);
      this.requests.push(recorded);
      const route = this.routes.find((r) => r.match(recorded));
      const answer = route ? route.respond(recorded) : { status: 500, body: JSON.stringify({ message: `fake: no route for ${recorded.method} ${recorded.path} ${recorded.target ?? recorded.action ?? ''}` }) };
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/x-amz-json-1.1', ...answer.headers });
      res.end(answer.body ?? '');
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    return this;
  }

  async stop(): Promise<void> {
    // close() alone waits for idle keep-alive connections of killed CLI processes' peers.
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

async function record(req: IncomingMessage): Promise<RecordedRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  const url = new URL(req.url ?? '/', 'http://fake');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
  const form = headers['content-type']?.includes('x-www-form-urlencoded') ? Object.fromEntries(new URLSearchParams(body)) : {};
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers,
    body,
    target: headers['x-amz-target'],
    action: form.Action ?? url.searchParams.get('Action') ?? undefined,
    form,
  };
}

export async function startFakeAws(): Promise<FakeAws> {
  return new FakeAws().start();
}
