import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAws, type FakeAws } from '../support/aws-fake.js';
import { runCli } from '../support/cli.js';
import { runCommand } from '../support/command.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { startTestPostgres, type TestPostgres } from '../support/postgres.js';
import { startTestS3, type TestS3 } from '../support/s3.js';
import { copyApp, FIXTURE_APP } from '../support/tmp.js';
import { ALL_CASES } from './cases.js';
import type { CaseContext } from './corpus.js';

/** Every file under the app with size and mtime: "no partial writes" means this does not change. */
async function snapshot(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isSymbolicLink()) continue;
      if (entry.isDirectory()) {
        if (entry.name !== '.git') await walk(path);
      } else {
        const info = await stat(path);
        out.set(relative(root, path), `${info.size}:${info.mtimeMs}`);
      }
    }
  };
  await walk(root);
  return out;
}

describe('bad-input corpus: one line, documented exit code, no stack, no partial writes', () => {
  let s3: TestS3;
  let denied: FaultProxy;
  let pg: TestPostgres;
  let fake: FakeAws;
  let base: Omit<CaseContext, 'app'>;
  beforeAll(async () => {
    [s3, pg, fake] = await Promise.all([startTestS3(['cruddur-uploads', 'cruddur-assets', 'cruddur-site']), startTestPostgres(), startFakeAws()]);
    denied = await startFaultProxy(s3.endpoint, { denyAll: true });
    const expired = '<Response><Errors><Error><Code>ExpiredToken</Code><Message>The security token included in the request is expired</Message></Error></Errors><RequestID>r-1</RequestID></Response>';
    fake.on((r) => r.action?.startsWith('Describe') === true || r.action?.startsWith('Modify') === true, () => ({ status: 400, headers: { 'content-type': 'text/xml' }, body: expired }));
    fake.on(
      (r) => r.method === 'GET' && /\/distribution\/EMISSING0000$/.test(r.path),
      () => ({ status: 404, headers: { 'content-type': 'text/xml' }, body: '<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchDistribution</Code><Message>The specified distribution does not exist.</Message></Error><RequestId>r-2</RequestId></ErrorResponse>' }),
    );
    fake.onOperation('GetAuthorizationToken', () => ({ status: 400, body: JSON.stringify({ __type: 'ExpiredTokenException', message: 'The security token included in the request is expired' }) }));
    base = {
      s3: { ...s3.env, UPLOADS_BUCKET_NAME: 'cruddur-uploads', ASSETS_BUCKET_NAME: 'cruddur-assets', SYNC_S3_BUCKET: 'cruddur-site' },
      s3Denied: { ...s3.env, AWS_ENDPOINT_URL_S3: denied.endpoint, UPLOADS_BUCKET_NAME: 'cruddur-uploads', ASSETS_BUCKET_NAME: 'cruddur-assets', SYNC_S3_BUCKET: 'cruddur-site' },
      pgBase: pg.url('postgres').replace(/\/postgres$/, ''),
      fakeAws: fake.endpoint,
    };
  });
  afterAll(async () => {
    await Promise.all([denied?.stop(), s3?.stop(), pg?.stop(), fake?.stop()]);
  });

  // Each case runs in this process (runCommand: the built command without a new node, oclif and SDK start,
  // ~0.5 s of CPU each); every seventh also runs as a process, and the two must agree exactly. The cases
  // share only read-only servers and each copies its own app, so the set-ups and processes overlap.
  const VIA_PROCESS = new Set(ALL_CASES.filter((_, i) => i % 7 === 0).map((c) => c.name));
  it('samples every domain as a process', () => {
    const domains = (names: Iterable<string>) => new Set([...names].map((n) => /^(\w+):/.exec(n)?.[1] ?? 'core'));
    expect(domains(VIA_PROCESS).size).toBeGreaterThanOrEqual(5);
  });
  it.concurrent.for(ALL_CASES.map((c) => [c.name, c] as const))('%s', async ([, c], { expect }) => {
    const app = await copyApp(FIXTURE_APP);
    try {
      const ctx: CaseContext = { ...base, app: app.path };
      await c.setup?.(ctx);
      const before = await snapshot(app.path);
      const env = c.env?.(ctx) ?? {};
      const result = await runCommand(c.args, { cwd: app.path, env, timeoutMs: 30_000 });
      const lines = result.stderr.split('\n').filter((l) => l.startsWith('Error: ') || l.startsWith('Try: '));
      // BADINPUT_PRINT=1 shows each case's lines (handy when writing a new case's expectation).
      if (process.env.BADINPUT_PRINT) console.log(`${c.name}\n  exit ${result.exitCode}\n  ${lines.join('\n  ')}`);
      expect(result.exitCode, result.stderr).toBe(c.exitCode);
      expect(lines[0]?.slice('Error: '.length), result.stderr).toMatch(c.error);
      expect(lines[1], 'a Try: line follows the error').toMatch(/^Try: \S/);
      expect(result.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
      expect(await snapshot(app.path)).toEqual(before);
      if (VIA_PROCESS.has(c.name)) {
        const child = await runCli(c.args, { cwd: app.path, env, timeoutMs: 30_000 });
        expect(child, 'the same case as a process').toEqual(result);
        expect(await snapshot(app.path)).toEqual(before);
      }
    } finally {
      await app.cleanup();
    }
  });
});
