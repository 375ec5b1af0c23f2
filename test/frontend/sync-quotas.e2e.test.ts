import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATE_KEY } from '../../src/frontend/state.js';
import { startFakeAws, type FakeAws } from '../support/aws-fake.js';
import { parseJson, runCli } from '../support/cli.js';
import { runCommand } from '../support/command.js';
import { startTestS3, type TestS3 } from '../support/s3.js';
import { tempDir, type TempDir } from '../support/tmp.js';
import { DISTRIBUTION_ID, InvalidationQuotas, routeCloudFront } from './cloudfront-fake.js';

// The built CLI against s3rver and the quota-enforcing fake CloudFront: a deploy that meets full quotas
// exits 1 with the paths owed in the bucket, and a later run from a fresh checkout invalidates them.
let s3: TestS3;
let fake: FakeAws;
let quotas: InvalidationQuotas;
let dir: TempDir;
let client: S3Client;
const head = (bucket: string, key: string) => client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
const getText = async (bucket: string, key: string) => (await (await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body?.transformToString()) ?? '';

beforeAll(async () => {
  [s3, fake, dir] = await Promise.all([startTestS3(['quota', 'routes']), startFakeAws(), tempDir('cruddur-sync-quotas-')]);
  quotas = routeCloudFront(fake, new InvalidationQuotas(1_000_000));
  client = s3.client();
  const build = join(dir.path, 'build');
  for (const [file, body] of Object.entries({ 'index.html': '<p>hi</p>', 'static/js/main.1a2b3c4d.js': 'js', 'service-worker.js': 'sw', '.well-known/apple-app-site-association': '{}' })) {
    await mkdir(join(build, file, '..'), { recursive: true });
    await writeFile(join(build, file), body);
  }
});
afterAll(async () => {
  await Promise.all([s3?.stop(), fake?.stop(), dir?.cleanup()]);
});

const checkout = async (name: string, config: unknown = {}) => {
  const root = join(dir.path, name);
  await mkdir(root, { recursive: true });
  await writeFile(join(root, 'cruddur.json'), JSON.stringify(config));
  return root;
};
/** The quota case runs the built CLI as a process (sync's end-to-end exit 1 and exit 0); the routes case runs in the test process. */
const sync = (cwd: string, bucket: string, extra: string[] = [], run: typeof runCli = runCommand) =>
  run(['frontend', 'sync', '--bucket', bucket, '--distribution-id', DISTRIBUTION_ID, '--build-dir', join(dir.path, 'build'), '--auto-approve', '--json', '--changeset', '-', ...extra], {
    cwd,
    env: { ...s3.env, AWS_ENDPOINT_URL_CLOUDFRONT: fake.endpoint },
  });

describe("frontend sync and CloudFront's quotas (built CLI)", () => {
  it('full quotas: exit 1 after --invalidation-timeout with the paths owed in the bucket; a fresh checkout later invalidates them', async () => {
    const others = [quotas.startOther(Array.from({ length: 15 }, (_, i) => `/w${i}/*`)), quotas.startOther(Array.from({ length: 3000 }, (_, i) => `/f/${i}`))];
    const first = await sync(await checkout('a'), 'quota', ['--invalidation-timeout', '0'], runCli);
    expect(first.exitCode, first.stderr).toBe(1);
    expect(parseJson<{ error: { code: string; message: string; suggestion: string } }>(first).error).toMatchObject({
      code: 'SYNC_FAILED',
      message: expect.stringMatching(/did not free up within --invalidation-timeout \(0 s\)/),
      suggestion: expect.stringMatching(/run the sync again, from any checkout: the paths are kept as owed/),
    });
    const state = JSON.parse(await getText('quota', STATE_KEY)) as { owed: string[] };
    expect(state.owed.sort()).toEqual(['.well-known/apple-app-site-association', 'index.html', 'service-worker.js', 'static/js/main.1a2b3c4d.js']);
    for (const id of others) quotas.complete(id);
    const second = await sync(await checkout('b'), 'quota', [], runCli);
    expect(second.exitCode, second.stderr).toBe(0);
    const json = parseJson<{ counts: Record<string, number>; invalidation: { status: string; paths: string[] } }>(second);
    expect(json.counts.no_change).toBe(4);
    expect(json.invalidation.status).toBe('created');
    expect(json.invalidation.paths.sort()).toEqual(['/', '/.well-known/apple-app-site-association', '/index.html', '/service-worker.js', '/static/js/main.1a2b3c4d.js']);
    expect(fake.requests.some((r) => r.method === 'GET' && r.path.endsWith('/invalidation'))).toBe(true);
  });

  it('routes from cruddur.json reach s3rver as headers; the second run is no_change; a header edit is a copy', async () => {
    const routes = (lang: string) => ({ frontend: { routes: [{ match: '*.js', headers: { 'Content-Language': lang, 'x-amz-meta-team': 'web' } }] } });
    const first = await sync(await checkout('r1', routes('en')), 'routes');
    expect(first.exitCode, first.stderr).toBe(0);
    const swHead = await head('routes', 'service-worker.js');
    expect(swHead).toMatchObject({ ContentLanguage: 'en', CacheControl: 'no-cache', ContentType: 'text/javascript; charset=utf-8', Metadata: { team: 'web' } });
    expect((await head('routes', '.well-known/apple-app-site-association')).ContentType).toBe('application/json; charset=utf-8');
    const second = await sync(await checkout('r2', routes('en')), 'routes');
    expect(parseJson<{ counts: Record<string, number> }>(second).counts).toMatchObject({ no_change: 4, update: 0 });
    const third = await sync(await checkout('r3', routes('de')), 'routes');
    const json = parseJson<{ counts: Record<string, number>; copied: string[] }>(third);
    expect(json.copied.sort()).toEqual(['service-worker.js', 'static/js/main.1a2b3c4d.js']);
    expect((await head('routes', 'service-worker.js')).ContentLanguage).toBe('de');
    const fourth = await sync(await checkout('r4', routes('de')), 'routes');
    expect(parseJson<{ counts: Record<string, number> }>(fourth).counts).toMatchObject({ no_change: 4, update: 0 });
  });
});
