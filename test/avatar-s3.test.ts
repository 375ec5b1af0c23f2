import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAMBDA_TEMPLATE_DIR } from '../src/avatar/transform.js';
import { halvesJpeg } from './avatar/images.js';
import { startFakeAws, type FakeAws } from './support/aws-fake.js';
import { cloudFrontRejects, createInvalidationCalls, DISTRIBUTION_ID, routeCloudFront, type InvalidationQuotas } from './frontend/cloudfront-fake.js';
import { parseJson, runCli } from './support/cli.js';
import { runCommand } from './support/command.js';
import { seedObjects } from './frontend/s3rver-store.js';
import { startTestS3, type TestS3 } from './support/s3.js';
import { copyApp, type TempDir } from './support/tmp.js';

interface LambdaModule {
  handler(event: unknown, context: unknown, s3: S3Client): Promise<{ written: string[] }>;
}

const UPLOADS = 'uploads';
const ASSETS = 'assets';

/** Polls until `check` returns a value (an event we cannot subscribe to), failing after `ms`. */
async function until<T>(check: () => Promise<T | undefined>, what: string, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function keys(client: S3Client, bucket: string): Promise<string[]> {
  const all: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    all.push(...(page.Contents ?? []).map((o) => o.Key ?? ''));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return all.sort();
}

async function head(client: S3Client, bucket: string, key: string) {
  try {
    return await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  } catch {
    return undefined;
  }
}

describe('cruddur avatar upload / clear (built CLI against s3rver)', () => {
  let s3: TestS3;
  let client: S3Client;
  let app: TempDir;
  let env: Record<string, string>;
  beforeAll(async () => {
    s3 = await startTestS3([UPLOADS, ASSETS]);
    client = s3.client();
    app = await copyApp();
    await mkdir(join(app.path, 'bin/avatar/files'), { recursive: true });
    await writeFile(join(app.path, 'bin/avatar/files/data.jpg'), await halvesJpeg(1200, 900));
    await writeFile(join(app.path, 'me.jpg'), await halvesJpeg(800, 600));
    await writeFile(join(app.path, 'notes.txt'), 'not an image');
    env = { ...s3.env, UPLOADS_BUCKET_NAME: UPLOADS, ASSETS_BUCKET_NAME: ASSETS, DOMAIN_NAME: 'demo.cruddur.test' };
  });
  afterAll(async () => {
    await s3.stop();
    await app.cleanup();
  });

  it('uploads the sample avatar by default, with its content type', async () => {
    const result = await runCommand(['avatar', 'upload', '--json'], { cwd: app.path, env });
    expect(result.exitCode, result.stderr).toBe(0);
    const doc = parseJson<{ bucket: string; key: string; multipart: boolean; contentType: string; avatar: { key: string; url: string; appeared: boolean } }>(result);
    expect(doc).toMatchObject({ bucket: UPLOADS, key: 'data.jpg', multipart: false, contentType: 'image/jpeg' });
    expect(doc.avatar).toEqual({ bucket: ASSETS, key: 'avatars/data.jpg', url: 'https://assets.demo.cruddur.test/avatars/data.jpg', appeared: false });
    expect((await head(client, UPLOADS, 'data.jpg'))?.ContentType).toBe('image/jpeg');
  });

  it('--wait prints the avatar URL once the thumbnail worker (the shipped Lambda handler) writes it', async () => {
    // A process: the test plays the worker while the command waits (runCommand would share process.env and console).
    const running = runCli(['avatar', 'upload', 'me.jpg', '--key', 'user-42.jpg', '--wait', '--timeout', '30'], { cwd: app.path, env });
    // The test is the worker: when the upload lands, run the Lambda handler on its S3 event.
    await until(async () => head(client, UPLOADS, 'user-42.jpg'), 'the upload');
    const { handler } = (await import(pathToFileURL(join(LAMBDA_TEMPLATE_DIR, 'index.js')).href)) as LambdaModule;
    process.env.DEST_BUCKET_NAME = ASSETS;
    const written = await handler({ Records: [{ s3: { bucket: { name: UPLOADS }, object: { key: 'user-42.jpg' } } }] }, {}, client);
    delete process.env.DEST_BUCKET_NAME;
    expect(written).toEqual({ written: ['avatars/user-42.jpg'] });

    const result = await running;
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n').at(-1)).toBe('https://assets.demo.cruddur.test/avatars/user-42.jpg');
    const avatar = await client.send(new GetObjectCommand({ Bucket: ASSETS, Key: 'avatars/user-42.jpg' }));
    expect(avatar.ContentType).toBe('image/jpeg');
    const meta = await sharp(Buffer.from(await avatar.Body!.transformToByteArray())).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 512, height: 512 });
  });

  it('--wait times out with a clear message when no thumbnail appears (an old avatar does not count)', async () => {
    await client.send(new PutObjectCommand({ Bucket: ASSETS, Key: 'avatars/stale.jpg', Body: Buffer.from('old avatar') }));
    const result = await runCommand(['avatar', 'upload', 'me.jpg', '--key', 'stale.jpg', '--wait', '--timeout', '1'], { cwd: app.path, env });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^Error: Timed out after 1 s waiting for s3:\/\/assets\/avatars\/stale\.jpg to appear\nTry: check that the thumbnail Lambda is deployed/m);
    expect(await head(client, UPLOADS, 'stale.jpg')).toBeDefined();
  });

  it('refuses a file that is not an image before uploading anything', async () => {
    const result = await runCommand(['avatar', 'upload', 'notes.txt'], { cwd: app.path, env });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/Error: .*notes\.txt is not an image the thumbnail Lambda can read: not an image in a supported format/);
    expect(await head(client, UPLOADS, 'notes.txt')).toBeUndefined();
  });

  it('says where the default sample avatar should be when it is missing', async () => {
    const empty = await copyApp();
    try {
      const result = await runCommand(['avatar', 'upload'], { cwd: empty.path, env });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(/^Error: .*bin\/avatar\/files\/data\.jpg does not exist\nTry: pass the image to upload/);
    } finally {
      await empty.cleanup();
    }
  });

  it('uploads a large image in parts, with progress', async () => {
    const big = await sharp({ create: { width: 2048, height: 1536, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 60 } } })
      .png({ compressionLevel: 0 })
      .toBuffer();
    expect(big.length).toBeGreaterThan(8 * 1024 * 1024);
    await writeFile(join(app.path, 'big.png'), big);
    const result = await runCommand(['avatar', 'upload', 'big.png'], { cwd: app.path, env });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/uploaded 100% of \d+ bytes/);
    expect(result.stdout).toMatch(/multipart\) to s3:\/\/uploads\/big\.png/);
    const object = await head(client, UPLOADS, 'big.png');
    expect(object?.ContentLength).toBe(big.length);
    // s3rver reports a multipart object's ETag as the MD5 of the whole body: the parts were joined intact.
    expect(object?.ETag).toBe(`"${createHash('md5').update(big).digest('hex')}"`);
  });

  describe('CloudFront invalidation (the fake CloudFront of test/frontend/cloudfront-fake.ts)', () => {
    let fake: FakeAws;
    let quotas: InvalidationQuotas;
    let cdnEnv: Record<string, string>;
    beforeAll(async () => {
      fake = await startFakeAws();
      quotas = routeCloudFront(fake);
      cdnEnv = { ...env, CLOUDFRONT_DISTRIBUTION_ID: DISTRIBUTION_ID, AWS_ENDPOINT_URL_CLOUDFRONT: fake.endpoint };
    });
    afterAll(async () => {
      await fake.stop();
    });

    it("upload sends one CreateInvalidation of the avatar's own path, encoded by CloudFront's rules, with a CallerReference", async () => {
      const before = createInvalidationCalls(fake).length;
      // Without CLOUDFRONT_DISTRIBUTION_ID nothing is invalidated.
      const plain = await runCommand(['avatar', 'upload', 'me.jpg', '--key', 'plain.jpg', '--json'], { cwd: app.path, env: { ...env, AWS_ENDPOINT_URL_CLOUDFRONT: fake.endpoint } });
      expect(plain.exitCode, plain.stderr).toBe(0);
      expect(parseJson<{ invalidation?: unknown }>(plain).invalidation).toBeUndefined();
      expect(createInvalidationCalls(fake)).toHaveLength(before);

      // Non-ASCII, space and ~ are encoded; + ( ) stay raw (a browser sends them raw, so encoding them would miss the cached object).
      const key = 'José ~1+2 (b).png';
      const path = '/avatars/Jos%C3%A9%20%7E1+2%20(b).jpg';
      const result = await runCommand(['avatar', 'upload', 'me.jpg', '--key', key, '--json'], { cwd: app.path, env: cdnEnv });
      expect(result.exitCode, result.stderr).toBe(0);
      const calls = createInvalidationCalls(fake).slice(before);
      expect(calls).toEqual([{ distributionId: DISTRIBUTION_ID, callerReference: expect.stringMatching(/^cruddur-avatar-upload-\d+$/), quantity: 1, paths: [path] }]);
      expect(cloudFrontRejects(path)).toBeUndefined();
      expect(decodeURIComponent(path)).toBe('/avatars/José ~1+2 (b).jpg');
      expect(quotas.attempts.at(-1)).toEqual({ paths: [path], outcome: 'created' });
      // The URL printed is the path invalidated; the JSON reports CloudFront's answer.
      const doc = parseJson<{ avatar: { key: string; url: string }; invalidation: unknown }>(result);
      expect(doc.avatar).toMatchObject({ key: 'avatars/José ~1+2 (b).jpg', url: `https://assets.demo.cruddur.test${path}` });
      expect(doc.invalidation).toEqual({ distributionId: DISTRIBUTION_ID, id: expect.stringMatching(/^I\d+$/), status: 'InProgress', paths: [path] });
      expect((await head(client, UPLOADS, key))?.ContentType).toBe('image/jpeg');
    });

    it('removes 1,500 objects across list pages and delete batches, then sends one invalidation', async () => {
      // Straight into s3rver's store: 1,501 PutObjects cost more CPU than the rest of this file.
      await seedObjects(s3, ASSETS, [...Array.from({ length: 1200 }, (_, i) => `avatars/u${i}.jpg`), 'banners/keep.jpg']);
      await seedObjects(s3, UPLOADS, Array.from({ length: 300 }, (_, i) => `u${i}.jpg`));
      const uploadsBefore = (await keys(client, UPLOADS)).length;
      const avatarsBefore = (await keys(client, ASSETS)).filter((k) => k.startsWith('avatars/')).length;
      expect(avatarsBefore).toBeGreaterThanOrEqual(1200);
      const clearEnv = cdnEnv;
      const before = createInvalidationCalls(fake).length;

      // Without a terminal, --all needs --yes: nothing is deleted and nothing invalidated.
      const refused = await runCommand(['avatar', 'clear', '--all'], { cwd: app.path, env: clearEnv });
      expect(refused.exitCode).toBe(1);
      expect(refused.stderr).toMatch(/Refusing to continue without confirmation: Delete all \d+ objects in s3:\/\/uploads and \d+ avatars in s3:\/\/assets\/avatars\/\?\nTry: .*--yes/);
      expect((await keys(client, UPLOADS)).length).toBe(uploadsBefore);
      expect(createInvalidationCalls(fake)).toHaveLength(before);

      const result = await runCommand(['avatar', 'clear', '--all', '--yes', '--json'], { cwd: app.path, env: clearEnv });
      expect(result.exitCode, result.stderr).toBe(0);
      const doc = parseJson<{ uploads: { deleted: number }; assets: { deleted: number }; invalidation: { id: string; paths: string[] } }>(result);
      expect(doc.uploads.deleted).toBe(uploadsBefore);
      expect(doc.assets.deleted).toBe(avatarsBefore);
      expect(doc.uploads.deleted + doc.assets.deleted).toBeGreaterThanOrEqual(1500);
      expect(doc.invalidation).toEqual({ distributionId: DISTRIBUTION_ID, id: expect.stringMatching(/^I\d+$/), status: 'InProgress', paths: ['/avatars/*'] });
      expect(await keys(client, UPLOADS)).toEqual([]);
      expect(await keys(client, ASSETS)).toEqual(['banners/keep.jpg']);

      // Exactly one CreateInvalidation for the whole clear, whatever the number of delete batches.
      expect(createInvalidationCalls(fake).slice(before)).toEqual([
        { distributionId: DISTRIBUTION_ID, callerReference: expect.stringMatching(/^cruddur-avatar-clear-\d+$/), quantity: 1, paths: ['/avatars/*'] },
      ]);
      // Clearing again deletes nothing, so it invalidates nothing.
      const again = await runCommand(['avatar', 'clear', '--all', '--yes', '--json'], { cwd: app.path, env: clearEnv });
      expect(again.exitCode, again.stderr).toBe(0);
      expect(parseJson(again)).toMatchObject({ uploads: { deleted: 0 }, assets: { deleted: 0 }, invalidationSkipped: 'no avatar was deleted' });
      expect(createInvalidationCalls(fake)).toHaveLength(before + 1);
    });

    it('clears the sample avatar by default and says why it does not invalidate', async () => {
      await client.send(new PutObjectCommand({ Bucket: UPLOADS, Key: 'data.jpg', Body: Buffer.from('x') }));
      await client.send(new PutObjectCommand({ Bucket: ASSETS, Key: 'avatars/data.jpg', Body: Buffer.from('y') }));
      // A process, like the --wait upload above: each command's success path keeps one end-to-end run as a process.
      const result = await runCli(['avatar', 'clear'], { cwd: app.path, env });
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stdout).toBe('Deleted 1 from s3://uploads and 1 from s3://assets\nNo CloudFront invalidation: CLOUDFRONT_DISTRIBUTION_ID is not set');
      expect(await head(client, UPLOADS, 'data.jpg')).toBeUndefined();
      expect(await head(client, ASSETS, 'avatars/data.jpg')).toBeUndefined();
    });
  });
});
