import { createServer, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../core/output.js';
import { detectPublicIp, parseIp } from './ip.js';

describe('parseIp', () => {
  it.each([
    ['203.0.113.7\n', { address: '203.0.113.7', family: 4 }],
    ['  2001:DB8:0:0::7 ', { address: '2001:db8::7', family: 6 }],
    ['::ffff:198.51.100.1', { address: '198.51.100.1', family: 4 }],
    ['<html><body>Rate limited</body></html>', undefined],
    ['203.0.113.7/32', undefined],
    ['', undefined],
    ['256.1.1.1', undefined],
  ])('%j -> %j', (text, expected) => {
    expect(parseIp(text)).toEqual(expected);
  });
});

/** Local echo services: each path answers differently; /slow never answers (the client gives up). The 2 s budget
 * per service is for a loaded CI machine: a loopback answer can take longer than 300 ms there. */
describe('detectPublicIp against local HTTP servers', () => {
  let server: Server;
  let base = '';
  const hits: string[] = [];
  const pending: ServerResponse[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      hits.push(req.url ?? '');
      if (req.url === '/slow') {
        pending.push(res);
        return;
      }
      if (req.url === '/v4') return res.end('198.51.100.23\n');
      if (req.url === '/v6') return res.end('2001:db8::23');
      if (req.url === '/html') return res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Service unavailable</body></html>');
      res.writeHead(503).end('down');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    for (const res of pending) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const detect = (services: string[], env: Record<string, string> = {}, ip?: string) =>
    detectPublicIp({ ip, env, services: services.map((p) => `${base}${p}`), timeoutMs: 2_000, logger: silentLogger });

  it('falls back to the second service when the first does not answer in time', async () => {
    hits.length = 0;
    await expect(detect(['/slow', '/v4'])).resolves.toEqual({ address: '198.51.100.23', family: 4, source: `${base}/v4` });
    expect(hits).toEqual(['/slow', '/v4']);
  });

  it('rejects an HTML page and takes the next answer, IPv6 included', async () => {
    await expect(detect(['/html', '/v6'])).resolves.toEqual({ address: '2001:db8::23', family: 6, source: `${base}/v6` });
  });

  it('fails with a suggestion to pass --ip when every service fails', async () => {
    const error = await detect(['/html', '/down']).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'RDS_NO_IP', suggestion: expect.stringContaining('--ip') });
    expect((error as Error).message).toContain('not an IP address');
    expect((error as Error).message).toContain('HTTP 503');
  });

  it('prefers --ip, then GITPOD_IP, without asking any service', async () => {
    hits.length = 0;
    await expect(detect(['/v4'], { GITPOD_IP: '192.0.2.9' }, '2001:db8::1')).resolves.toMatchObject({ address: '2001:db8::1', source: '--ip' });
    await expect(detect(['/v4'], { GITPOD_IP: '192.0.2.9' })).resolves.toMatchObject({ address: '192.0.2.9', source: 'GITPOD_IP' });
    expect(hits).toEqual([]);
  });

  it('refuses an --ip or GITPOD_IP that is not an address', async () => {
    await expect(detect([], {}, 'my-laptop')).rejects.toMatchObject({ exitCode: 2 });
    await expect(detect([], { GITPOD_IP: '<html>' })).rejects.toMatchObject({ code: 'RDS_BAD_IP' });
  });
});
