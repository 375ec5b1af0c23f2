import { chmod, mkdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { halvesJpeg } from './avatar/images.js';
import { startFakeAws, type FakeAws } from './support/aws-fake.js';
import { createInvalidationCalls, DISTRIBUTION_ID, routeCloudFront } from './frontend/cloudfront-fake.js';
import { parseJson, runCli } from './support/cli.js';
import { runCommand } from './support/command.js';
import { REPO_ROOT, tempDir, type TempDir } from './support/tmp.js';
import { FAKE_NPM } from './avatar/fake-npm.js';

/**
 * Acceptance for issue 16: a repository in the bootcamp's week-8 layout (the CDK app with its .env,
 * the handler folder with a PNG-writing handler like the bootcamp's), the local stack, and the built CLI.
 */
const CDK_ENV = `THUMBING_BUCKET_NAME="assets.example.org"
THUMBING_S3_FOLDER_INPUT="avatars/original"
THUMBING_S3_FOLDER_OUTPUT="avatars/processed"
THUMBING_WEBHOOK_URL="api.example.org/webhooks/avatars"
THUMBING_TOPIC_NAME="cruddur-assets"
THUMBING_FUNCTION_PATH="/workspaces/aws-bootcamp-cruddur-2023/aws/lambdas/process-images"
`;

/** The bootcamp's handler, in substance: PNG, the source key with the input folder replaced, extension kept. */
const BOOTCAMP_HANDLER = `const sharp = require('sharp');
const { S3Client, GetObjectCommand, PutObjectCommand } = require('@aws-sdk/client-s3');
const client = new S3Client();
exports.handler = async (event) => {
  const srcBucket = event.Records[0].s3.bucket.name;
  const srcKey = decodeURIComponent(event.Records[0].s3.object.key.replace(/\\+/g, ' '));
  const dstKey = srcKey.replace(process.env.FOLDER_INPUT, process.env.FOLDER_OUTPUT);
  const original = await client.send(new GetObjectCommand({ Bucket: srcBucket, Key: srcKey }));
  const buffer = Buffer.from(await original.Body.transformToByteArray());
  const width = parseInt(process.env.PROCESS_WIDTH, 10);
  const height = parseInt(process.env.PROCESS_HEIGHT, 10);
  const processed = await sharp(buffer).resize(width, height).png().toBuffer();
  await client.send(new PutObjectCommand({ Bucket: process.env.DEST_BUCKET_NAME, Key: dstKey, Body: processed, ContentType: 'image/png' }));
  console.log('processed', srcKey, '->', dstKey);
};
`;

async function bootcampApp(): Promise<TempDir> {
  const app = await tempDir('cruddur-bootcamp-');
  // The local PostgreSQL runs as "postgres" when we are root: it must be able to enter the folder.
  await chmod(app.path, 0o755);
  await mkdir(join(app.path, '.git'));
  await mkdir(join(app.path, 'thumbing-serverless-cdk'), { recursive: true });
  await mkdir(join(app.path, 'aws/lambdas/process-images'), { recursive: true });
  await mkdir(join(app.path, 'bin/avatar/files'), { recursive: true });
  await writeFile(join(app.path, 'thumbing-serverless-cdk/.env'), CDK_ENV);
  // The CDK app lists sharp too (the bootcamp installed it there): it must not be taken for the handler.
  await writeFile(join(app.path, 'thumbing-serverless-cdk/package.json'), JSON.stringify({ name: 'thumbing-serverless-cdk', dependencies: { 'aws-cdk-lib': '2.80.0', dotenv: '16.0.3', sharp: '0.32.1' } }));
  await writeFile(join(app.path, 'aws/lambdas/process-images/package.json'), JSON.stringify({ name: 'process-images', main: 'index.js', dependencies: { '@aws-sdk/client-s3': '3.1163.0', sharp: '0.34.5' } }));
  await writeFile(join(app.path, 'aws/lambdas/process-images/index.js'), BOOTCAMP_HANDLER);
  await writeFile(join(app.path, 'bin/avatar/files/data.jpg'), await halvesJpeg(900, 600));
  // The handler's dependencies: this checkout's sharp and AWS SDK (what `avatar build` installs, without the registry).
  await symlink(join(REPO_ROOT, 'node_modules'), join(app.path, 'aws/lambdas/process-images/node_modules'));
  return app;
}

describe('the bootcamp layout with the local stack (built CLI)', () => {
  let app: TempDir;
  let fake: FakeAws;
  let client: S3Client;
  const options = (env: Record<string, string>) => ({ cwd: app.path, env: { AWS_ENDPOINT_URL_CLOUDFRONT: fake.endpoint, ...env }, timeoutMs: 90_000 });
  // local up/down as processes (the stack outlives the command that started it); the avatar commands in the test process.
  const local = (args: string[]) => runCli(['local', ...args], options({}));
  const cli = (args: string[], env: Record<string, string> = {}) => runCommand(args, options(env));

  beforeAll(async () => {
    app = await bootcampApp();
    fake = await startFakeAws();
    routeCloudFront(fake);
    const up = await local(['up', '--json']);
    if (up.exitCode !== 0) throw new Error(`local up failed: ${up.stderr}${up.stdout}`);
    const { env } = parseJson<{ env: Record<string, string> }>(up);
    client = new S3Client({ endpoint: env.AWS_ENDPOINT_URL_S3, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  }, 120_000);
  afterAll(async () => {
    client?.destroy();
    await local(['down']);
    await fake?.stop();
    await app?.cleanup();
  }, 120_000);

  it('avatar config reads the CDK app .env, finds the handler in this checkout and says where each value came from', async () => {
    const result = await cli(['avatar', 'config', '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const rows = Object.fromEntries(parseJson<Array<{ name: string; value: string; source: string }>>(result).map((r) => [r.name, r]));
    expect(rows['assets bucket']).toEqual({ name: 'assets bucket', value: 'assets.example.org', source: 'THUMBING_BUCKET_NAME from thumbing-serverless-cdk/.env' });
    expect(rows['uploads bucket']?.value).toBe('assets.example.org');
    expect(rows['input folder']?.value).toBe('avatars/original');
    expect(rows['output folder']?.value).toBe('avatars/processed');
    expect(rows['key rule']?.value).toBe('replace-folder');
    expect(rows.handler?.value).toBe('aws/lambdas/process-images/index.js (your handler)');
    expect(rows.handler?.source).toBe('THUMBING_FUNCTION_PATH from thumbing-serverless-cdk/.env (found at aws/lambdas/process-images in this checkout)');
  });

  it("upload --wait finds avatars/processed/<name> written by the handler's own code; clear removes it and invalidates once", async () => {
    const upload = await cli(['avatar', 'upload', '--wait', '--timeout', '60', '--json'], { CLOUDFRONT_DISTRIBUTION_ID: DISTRIBUTION_ID, DOMAIN_NAME: 'example.org' });
    expect(upload.exitCode, upload.stderr).toBe(0);
    const doc = parseJson<{ key: string; bucket: string; avatar: { key: string; appeared: boolean; url: string }; invalidation: { paths: string[] } }>(upload);
    expect(doc).toMatchObject({ bucket: 'assets.example.org', key: 'avatars/original/data.jpg', avatar: { key: 'avatars/processed/data.jpg', appeared: true, url: 'https://assets.example.org/avatars/processed/data.jpg' } });
    expect(doc.invalidation.paths).toEqual(['/avatars/processed/data.jpg']);
    // What reached CloudFront: one CreateInvalidation of the processed avatar's path (after the wait), on that distribution.
    const uploadCalls = createInvalidationCalls(fake);
    expect(uploadCalls).toEqual([
      { distributionId: DISTRIBUTION_ID, callerReference: expect.stringMatching(/^cruddur-avatar-upload-\d+$/), quantity: 1, paths: ['/avatars/processed/data.jpg'] },
    ]);

    // What the handler wrote: PNG bytes under the kept .jpg name, with its Content-Type: the handler ran, not cruddur's transform.
    const object = await client.send(new GetObjectCommand({ Bucket: 'assets.example.org', Key: 'avatars/processed/data.jpg' }));
    expect(object.ContentType).toBe('image/png');
    const body = Buffer.from(await object.Body!.transformToByteArray());
    const expected = await sharp(await readFile(join(app.path, 'bin/avatar/files/data.jpg'))).resize(512, 512).png().toBuffer();
    expect(body.equals(expected)).toBe(true);
    // One bucket for both: the output (outside the input folder) was not processed again.
    const listed = await client.send(new ListObjectsV2Command({ Bucket: 'assets.example.org' }));
    expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual(['avatars/original/data.jpg', 'avatars/processed/data.jpg']);
    const log = await readFile(join(app.path, '.cruddur/local.log'), 'utf8');
    expect(log.match(/thumbnail: /g)).toHaveLength(1);

    const before = fake.requests.length;
    const clear = await cli(['avatar', 'clear', '--json'], { CLOUDFRONT_DISTRIBUTION_ID: DISTRIBUTION_ID });
    expect(clear.exitCode, clear.stderr).toBe(0);
    expect(parseJson(clear)).toMatchObject({ uploads: { deleted: 1 }, assets: { deleted: 1 }, invalidation: { distributionId: DISTRIBUTION_ID, paths: ['/avatars/processed/*'] } });
    const gone = await client.send(new HeadObjectCommand({ Bucket: 'assets.example.org', Key: 'avatars/processed/data.jpg' })).catch((e: { name: string }) => e.name);
    expect(gone).toBe('NotFound');
    // The clear made exactly one CloudFront request: one CreateInvalidation of the output folder, with its own CallerReference.
    expect(fake.requests.length - before).toBe(1);
    const clearCalls = createInvalidationCalls(fake).slice(uploadCalls.length);
    expect(clearCalls).toEqual([
      { distributionId: DISTRIBUTION_ID, callerReference: expect.stringMatching(/^cruddur-avatar-clear-\d+$/), quantity: 1, paths: ['/avatars/processed/*'] },
    ]);
    expect(clearCalls[0]?.callerReference).not.toBe(uploadCalls[0]?.callerReference);
  });

  it('avatar process --lambda writes what the handler writes, byte for byte', async () => {
    const out = join(app.path, 'out');
    const result = await cli(['avatar', 'process', 'bin/avatar/files/data.jpg', '--lambda', '--out', 'out']);
    expect(result.exitCode, result.stderr).toBe(0);
    const expected = await sharp(await readFile(join(app.path, 'bin/avatar/files/data.jpg'))).resize(512, 512).png().toBuffer();
    expect((await readFile(join(out, 'data.jpg'))).equals(expected)).toBe(true);
    await rm(out, { recursive: true });
  });
});

describe("cruddur's own handler (avatar build --init) with the local stack (built CLI)", () => {
  let app: TempDir;
  let bin: TempDir;
  let client: S3Client;
  // local up/down as processes (the stack outlives the command that started it); the avatar commands in the test process.
  const local = (args: string[]) => runCli(['local', ...args], { cwd: app.path, timeoutMs: 90_000 });
  const cli = (args: string[], env: Record<string, string> = {}) => runCommand(args, { cwd: app.path, env, timeoutMs: 90_000 });

  beforeAll(async () => {
    app = await tempDir('cruddur-own-handler-');
    await chmod(app.path, 0o755);
    await mkdir(join(app.path, '.git'));
    await mkdir(join(app.path, 'bin/avatar/files'), { recursive: true });
    await writeFile(join(app.path, 'bin/avatar/files/data.jpg'), await halvesJpeg(900, 600));
    bin = await tempDir('cruddur-fake-npm-');
    await writeFile(join(bin.path, 'npm'), FAKE_NPM);
    await chmod(join(bin.path, 'npm'), 0o755);
    const built = await cli(['avatar', 'build', '--init'], { PATH: `${bin.path}:${process.env.PATH}`, FAKE_NPM_LOG: join(bin.path, 'log') });
    if (built.exitCode !== 0) throw new Error(`avatar build --init failed: ${built.stderr}`);
    // The fake npm laid out package.json files only: use this checkout's real sharp instead.
    const folder = join(app.path, 'aws/lambdas/process-images');
    await rm(join(folder, 'node_modules'), { recursive: true });
    await symlink(join(REPO_ROOT, 'node_modules'), join(folder, 'node_modules'));
    // The size lives in the handler's own settings file: change it there, once.
    const settings = JSON.parse(await readFile(join(folder, 'thumbnail-settings.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(folder, 'thumbnail-settings.json'), JSON.stringify({ ...settings, width: 300, height: 200 }));
    const up = await local(['up', '--json']);
    if (up.exitCode !== 0) throw new Error(`local up failed: ${up.stderr}${up.stdout}`);
    const { env } = parseJson<{ env: Record<string, string> }>(up);
    client = new S3Client({ endpoint: env.AWS_ENDPOINT_URL_S3, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  }, 180_000);
  afterAll(async () => {
    client?.destroy();
    await local(['down']);
    await app?.cleanup();
    await bin?.cleanup();
  }, 120_000);

  it('the worker (running the handler), avatar process and avatar process --lambda give the same bytes, at the size in its settings file', async () => {
    const upload = await cli(['avatar', 'upload', '--wait', '--json']);
    expect(upload.exitCode, upload.stderr).toBe(0);
    const doc = parseJson<{ avatar: { bucket: string; key: string } }>(upload);
    expect(doc.avatar.key).toBe('avatars/data.jpg');
    const object = await client.send(new GetObjectCommand({ Bucket: doc.avatar.bucket, Key: doc.avatar.key }));
    const fromWorker = Buffer.from(await object.Body!.transformToByteArray());
    expect(await readFile(join(app.path, '.cruddur/local.log'), 'utf8')).toMatch(/thumbnail worker watching .* with running .*index\.js/);

    const local = await cli(['avatar', 'process', 'bin/avatar/files/data.jpg', '--out', 'local']);
    expect(local.exitCode, local.stderr).toBe(0);
    const lambda = await cli(['avatar', 'process', 'bin/avatar/files/data.jpg', '--lambda', '--out', 'lambda']);
    expect(lambda.exitCode, lambda.stderr).toBe(0);
    const fromProcess = await readFile(join(app.path, 'local/data.jpg'));
    const fromLambda = await readFile(join(app.path, 'lambda/data.jpg'));
    expect(await sharp(fromWorker).metadata()).toMatchObject({ format: 'jpeg', width: 300, height: 200 });
    expect(fromProcess.equals(fromWorker)).toBe(true);
    expect(fromLambda.equals(fromWorker)).toBe(true);
  });

  it('a handler removed or added while the stack runs is used from the next upload on, with no restart', async () => {
    const folder = join(app.path, 'aws/lambdas/process-images');
    const aside = join(app.path, 'handler-aside');
    const buckets: Record<string, string> = {};
    const sizeOf = async (key: string) => {
      const object = await client.send(new GetObjectCommand({ Bucket: buckets[key], Key: key }));
      return sharp(Buffer.from(await object.Body!.transformToByteArray())).metadata();
    };
    const upload = async (key: string) => {
      const result = await cli(['avatar', 'upload', 'bin/avatar/files/data.jpg', '--key', key, '--wait', '--json']);
      expect(result.exitCode, result.stderr).toBe(0);
      const avatar = parseJson<{ avatar: { bucket: string; key: string } }>(result).avatar;
      buckets[avatar.key] = avatar.bucket;
      return avatar.key;
    };
    await rename(folder, aside);
    try {
      // No handler now: the worker falls back to cruddur's transform (the template's 512x512).
      expect(await sizeOf(await upload('without-handler.jpg'))).toMatchObject({ width: 512, height: 512 });
    } finally {
      await rename(aside, folder);
    }
    // The handler is back: its own settings file (300x200) decides again.
    expect(await sizeOf(await upload('with-handler.jpg'))).toMatchObject({ width: 300, height: 200 });
    expect(await readFile(join(app.path, '.cruddur/local.log'), 'utf8')).toMatch(/thumbnail: the project's avatar settings changed; now the configured transform/);
  });
});

describe("a handler whose sharp cannot load here (built CLI, no stack)", () => {
  it('avatar process --lambda falls back to the configured transform and says so once', async () => {
    const app = await bootcampApp();
    try {
      // No dependencies installed in the handler folder (and none above it in the temp dir).
      await rm(join(app.path, 'aws/lambdas/process-images/node_modules'));
      await writeFile(join(app.path, 'b.jpg'), await halvesJpeg(300, 200));
      const result = await runCommand(['avatar', 'process', 'bin/avatar/files/data.jpg', 'b.jpg', '--lambda', '--out', 'out'], { cwd: app.path });
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stderr.match(/cannot load on this machine/g)).toHaveLength(1);
      expect(result.stderr).toMatch(/the sharp in .*aws\/lambdas\/process-images cannot load on this machine \(.*sharp.*\); using the configured transform instead/);
      expect(await sharp(join(app.path, 'out/data.jpg')).metadata()).toMatchObject({ format: 'jpeg', width: 512, height: 512 });
    } finally {
      await app.cleanup();
    }
  });
});
