import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAMBDA_TEMPLATE_DIR } from '../../src/avatar/transform.js';
import { halvesJpeg } from '../avatar/images.js';
import { DISTRIBUTION_ID, invalidationRequests, routeCloudFront } from '../frontend/cloudfront-fake.js';
import { startFakeAws, type FakeAws } from '../support/aws-fake.js';
import { parseJson, runCli } from '../support/cli.js';
import { runCommand } from '../support/command.js';
import { startFaultProxy, type FaultOptions, type FaultProxy } from '../support/fault-proxy.js';
import { startTestS3, type TestS3 } from '../support/s3.js';
import type { TempDir } from '../support/tmp.js';
import { asEntries, bucketContents, bucketKeys, makeProject, recordFigures, resetBucket, siteTree, writeTree } from './helpers.js';

/**
 * Every S3 request of these runs goes through a proxy that answers ~20% with 503 SlowDown, some with
 * 500 InternalError and resets a few connections (fixed seeds, so a failure replays). The commands must
 * succeed anyway, leave the buckets exactly right, and say at --verbose what the SDK retried.
 */
const FAULTS: Omit<FaultOptions, 'seed'> = { slowDownRate: 0.2, internalErrorRate: 0.05, resetRate: 0.03 };
const SEEDS = [11, 23, 37];
/** The avatar commands send only a handful of requests: seeds whose first rolls fall in the fault band (23: HEAD 503 twice; 17: PUT 503; 7: reset then 503; 29: 503, 503, then 500). */
const UPLOAD_SEEDS = [23, 17];
const CLEAR_SEEDS = [7, 29];

interface LambdaModule {
  handler(event: unknown, context: unknown, s3: S3Client): Promise<{ written: string[] }>;
}

let s3: TestS3;
let proxy: FaultProxy;
let fake: FakeAws;
let client: S3Client;
let project: TempDir;
const figures = { runs: 0, passed: 0, requests: 0, injected: 0, slowDown: 0, internalError: 0, reset: 0, retriedCalls: 0 };

const env = (extra: Record<string, string> = {}) => ({ ...s3.env, AWS_ENDPOINT_URL_S3: proxy.endpoint, AWS_ENDPOINT_URL_CLOUDFRONT: fake.endpoint, ...extra });

/**
 * Runs one command through the faults and counts what the proxy did to it: in the test process (runCommand)
 * unless `run` is runCli (the SDK's retries are the subject, not the process).
 */
async function underFaults(seed: number, args: string[], extra: Record<string, string> = {}, run: typeof runCli = runCommand) {
  proxy.configure({ ...FAULTS, seed });
  const from = proxy.log.length;
  const result = await run([...args, '--verbose'], { cwd: project.path, env: env(extra) });
  const seen = proxy.log.slice(from);
  const injected = seen.filter((r) => r.injected);
  figures.runs += 1;
  figures.passed += result.exitCode === 0 ? 1 : 0;
  figures.requests += seen.length;
  figures.injected += injected.length;
  figures.slowDown += injected.filter((r) => r.status === 503).length;
  figures.internalError += injected.filter((r) => r.status === 500).length;
  figures.reset += injected.filter((r) => r.status === 'reset').length;
  const retried = result.stderr.match(/^debug: s3 \w+: succeeded after \d+ attempts/gm) ?? [];
  figures.retriedCalls += retried.length;
  proxy.configure({});
  return { result, injected, retried };
}

beforeAll(async () => {
  [s3, fake, project] = await Promise.all([startTestS3(['site', 'uploads', 'assets']), startFakeAws(), makeProject()]);
  proxy = await startFaultProxy(s3.endpoint);
  routeCloudFront(fake);
  client = s3.client();
});

afterAll(async () => {
  await recordFigures('faults', figures);
  await Promise.all([proxy?.stop(), fake?.stop(), project?.cleanup()]);
  await s3?.stop();
});

describe('injected S3 faults (503 SlowDown ~20%, 500 5%, resets 3%)', () => {
  it.each(SEEDS)('frontend sync --auto-approve deploys and then updates the site intact (seed %i)', async (seed) => {
    const build = join(project.path, `build-${seed}`);
    await resetBucket(client, 'site');
    const v1 = siteTree(1);
    await writeTree(build, v1);
    const first = await underFaults(seed, ['frontend', 'sync', '--bucket', 'site', '--build-dir', build, '--distribution-id', DISTRIBUTION_ID, '--auto-approve', '--max-invalidation-paths', '100', '--json']);
    expect(first.result.exitCode, first.result.stderr).toBe(0);
    expect(first.injected.length).toBeGreaterThan(0);
    expect(asEntries(await bucketContents(client, 'site'))).toEqual(asEntries(v1));
    expect(first.retried.length, first.result.stderr).toBeGreaterThan(0);
    expect(first.result.stderr).toMatch(/^debug: s3 PutObject: succeeded after \d+ attempts \(\d+ retried\)$/m);

    // Second version: some files change, some disappear, some are new.
    const v2 = siteTree(2);
    for (const file of Object.keys(v1)) if (!(file in v2)) await rm(join(build, file));
    await writeTree(build, v2);
    const second = await underFaults(seed + 1000, ['frontend', 'sync', '--bucket', 'site', '--build-dir', build, '--distribution-id', DISTRIBUTION_ID, '--auto-approve', '--max-invalidation-paths', '100', '--json']);
    expect(second.result.exitCode, second.result.stderr).toBe(0);
    expect(asEntries(await bucketContents(client, 'site'))).toEqual(asEntries(v2));
    const json = parseJson<{ uploaded: string[]; deleted: string[] }>(second.result);
    const changed = [...Object.keys(v2).filter((f) => !v1[f]?.equals(v2[f] as Buffer)), ...Object.keys(v1).filter((f) => !(f in v2))];
    expect([...json.uploaded, ...json.deleted].sort()).toEqual(changed.sort());
    // The invalidation names exactly what changed (CloudFront is not behind the proxy).
    expect(invalidationRequests(fake).at(-1)).toEqual(
      [...changed.map((f) => `/${f}`), ...changed.filter((f) => f.endsWith('index.html')).map((f) => `/${f.replace(/index\.html$/, '')}`)].sort(),
    );
  });

  it.each(UPLOAD_SEEDS)('avatar upload --wait uploads the image and sees the thumbnail through the faults (seed %i)', async (seed) => {
    const image = await halvesJpeg(640, 480);
    const file = join(project.path, `me-${seed}.jpg`);
    await writeFile(file, image);
    const key = `user-${seed}.jpg`;
    const { handler } = (await import(pathToFileURL(join(LAMBDA_TEMPLATE_DIR, 'index.js')).href)) as LambdaModule;
    // The test plays the thumbnail Lambda: once the upload has landed in s3rver, it writes the avatar.
    let lambda: Promise<unknown> | undefined;
    proxy.hooks.response = (r) => {
      if (r.method === 'PUT' && r.path === `/uploads/${key}` && r.status === 200 && !lambda) {
        process.env.DEST_BUCKET_NAME = 'assets';
        lambda = handler({ Records: [{ s3: { bucket: { name: 'uploads' }, object: { key } } }] }, {}, client).finally(() => delete process.env.DEST_BUCKET_NAME);
      }
    };
    try {
      // A process: the handler, run here, logs to the console, which an in-process command's --json stdout would capture.
      const { result, injected } = await underFaults(
        seed,
        ['avatar', 'upload', file, '--key', key, '--wait', '--timeout', '30', '--json'],
        { UPLOADS_BUCKET_NAME: 'uploads', ASSETS_BUCKET_NAME: 'assets' },
        runCli,
      );
      expect(result.exitCode, result.stderr).toBe(0);
      expect(injected.length).toBeGreaterThan(0);
      expect(parseJson<{ avatar: { appeared: boolean; key: string } }>(result).avatar).toMatchObject({ appeared: true, key: `avatars/user-${seed}.jpg` });
      await lambda;
    } finally {
      proxy.hooks = {};
    }
    const contents = await bucketContents(client, 'uploads');
    expect(contents[key]?.equals(image)).toBe(true);
    expect((await bucketKeys(client, 'assets'))).toContain(`avatars/user-${seed}.jpg`);
  });

  it.each(CLEAR_SEEDS)('avatar clear --all --yes empties both buckets through the faults (seed %i)', async (seed) => {
    const uploads = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`u${i}.jpg`, Buffer.from(`upload ${i}`)]));
    const assets = {
      ...Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`avatars/u${i}.jpg`, Buffer.from(`avatar ${i}`)])),
      'banners/keep.jpg': Buffer.from('not an avatar'),
    };
    await Promise.all([resetBucket(client, 'uploads', uploads), resetBucket(client, 'assets', assets)]);
    const before = invalidationRequests(fake).length;
    const { result, injected } = await underFaults(seed, ['avatar', 'clear', '--all', '--yes', '--json'], {
      UPLOADS_BUCKET_NAME: 'uploads',
      ASSETS_BUCKET_NAME: 'assets',
      CLOUDFRONT_DISTRIBUTION_ID: DISTRIBUTION_ID,
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(injected.length).toBeGreaterThan(0);
    expect(parseJson<{ uploads: { deleted: number }; assets: { deleted: number } }>(result)).toMatchObject({ uploads: { deleted: 25 }, assets: { deleted: 40 } });
    expect(await bucketContents(client, 'uploads')).toEqual({});
    expect((await bucketKeys(client, 'assets'))).toEqual(['banners/keep.jpg']);
    expect(invalidationRequests(fake).slice(before)).toEqual([['/avatars/*']]);
  });

  it('when retries run out it fails in one line with a fix, and changes nothing (every request 503, 2 attempts)', async () => {
    await client.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'x.jpg', Body: Buffer.from('x') }));
    proxy.configure({ slowDownRate: 1, seed: 1 });
    try {
      const result = await runCommand(['avatar', 'clear', '--key', 'x.jpg', '--verbose'], {
        cwd: project.path,
        env: env({ UPLOADS_BUCKET_NAME: 'uploads', ASSETS_BUCKET_NAME: 'assets', AWS_MAX_ATTEMPTS: '2' }),
      });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(/^debug: s3 HeadObject: failed after 2 attempts/m);
      expect(result.stderr).toMatch(/^Error: Could not read s3:\/\/(uploads\/x|assets\/avatars\/x)\.jpg: AWS kept failing \(HTTP 503\) after 2 attempts\nTry: .*AWS_MAX_ATTEMPTS/m);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    } finally {
      proxy.configure({});
    }
    expect((await bucketKeys(client, 'uploads'))).toContain('x.jpg');
  });
});
