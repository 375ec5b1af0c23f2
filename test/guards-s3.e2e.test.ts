// Guards on real buckets: a refused sync or clear, and every --dry-run, send only reads. Asserted from
// the request log of a pass-through proxy in front of s3rver (and the fake EC2's log for rds). The commands run
// in the test process (test/support/command.ts): pipes, no TTY, as a child would have.
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeEc2 } from './fakes/ec2.js';
import { startFakeAws, type FakeAws } from './support/aws-fake.js';
import { runCommand } from './support/command.js';
import { startFaultProxy, type FaultProxy } from './support/fault-proxy.js';
import { startTestS3, type TestS3 } from './support/s3.js';
import { copyApp, FIXTURE_APP, type TempDir } from './support/tmp.js';

const READS = new Set(['GET', 'HEAD']);

describe('guards on real buckets: refusals and --dry-run only read', () => {
  let s3: TestS3;
  let proxy: FaultProxy;
  let fake: FakeAws;
  let app: TempDir;
  const state = { rules: [{ id: 'sgr-0guard', port: 5432, cidrIpv4: '198.51.100.1/32', description: 'GITPOD' }] };

  beforeAll(async () => {
    [s3, fake, app] = await Promise.all([startTestS3(['guard-site', 'guard-uploads', 'guard-assets']), startFakeAws(), copyApp(FIXTURE_APP)]);
    proxy = await startFaultProxy(s3.endpoint);
    fakeEc2(fake, 'sg-0guard', state);
    const client = s3.client();
    // Something to delete on each side, so a write would have something to do.
    await Promise.all([
      client.send(new PutObjectCommand({ Bucket: 'guard-site', Key: 'old.js', Body: 'old' })),
      client.send(new PutObjectCommand({ Bucket: 'guard-uploads', Key: 'someone.jpg', Body: 'x' })),
      client.send(new PutObjectCommand({ Bucket: 'guard-assets', Key: 'avatars/someone.jpg', Body: 'x' })),
    ]);
    await mkdir(join(app.path, 'frontend-react-js/build'), { recursive: true });
    await writeFile(join(app.path, 'frontend-react-js/build/index.html'), '<!doctype html>');
  });
  afterAll(async () => {
    await Promise.all([proxy?.stop(), s3?.stop(), fake?.stop(), app?.cleanup()]);
  });

  const env = () => ({ ...s3.env, AWS_ENDPOINT_URL_S3: proxy.endpoint, SYNC_S3_BUCKET: 'guard-site', UPLOADS_BUCKET_NAME: 'guard-uploads', ASSETS_BUCKET_NAME: 'guard-assets' });

  it.each([
    [['frontend', 'sync'], 1, /^Error: Refusing to continue without confirmation: Upload 1 and delete 1 object in s3:\/\/guard-site\?$/m],
    [['frontend', 'sync', '--dry-run'], 0, undefined],
    [['frontend', 'sync', '--dry-run', '--force', '--json'], 0, undefined],
    [['avatar', 'clear', '--all'], 1, /^Error: Refusing to continue without confirmation/m],
  ] as const)('%j sends only GET/HEAD', async (args, exitCode, error) => {
    proxy.log.length = 0;
    const result = await runCommand([...args], { cwd: app.path, env: env() });
    expect(result.exitCode, result.stderr).toBe(exitCode);
    if (error) expect(result.stderr).toMatch(error);
    expect(proxy.log.length, 'the command did reach the bucket').toBeGreaterThan(0);
    expect(proxy.log.filter((r) => !READS.has(r.method)).map((r) => `${r.method} ${r.path}?${r.query}`)).toEqual([]);
  });

  it('rds update-sg --dry-run only describes', async () => {
    fake.requests.length = 0;
    const result = await runCommand(['rds', 'update-sg', '--ip', '203.0.113.50', '--dry-run'], {
      cwd: app.path,
      env: { AWS_ACCESS_KEY_ID: 'AKIAGUARD', AWS_SECRET_ACCESS_KEY: 'guard-secret', AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_EC2: fake.endpoint, DB_SG_ID: 'sg-0guard' },
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Dry run: would change rule sgr-0guard/);
    expect(fake.operations()).toEqual(['DescribeSecurityGroupRules']);
    expect(state.rules[0]?.cidrIpv4).toBe('198.51.100.1/32');
  });
});
