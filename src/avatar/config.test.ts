import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadProjectConfig } from '../core/config.js';
import { tempDir, type TempDir } from '../../test/support/tmp.js';
import { avatarKeyFor, describeAvatarConfig, rerootPath, resolveAvatarConfig, uploadKeyFor } from './config.js';
import { s3Event } from './handler.js';

let dir: TempDir;
beforeEach(async () => {
  dir = await tempDir('cruddur-avatar-config-');
  await mkdir(join(dir.path, '.git'));
});
afterEach(() => dir.cleanup());

const write = async (path: string, text: string) => {
  await mkdir(join(dir.path, path, '..'), { recursive: true });
  await writeFile(join(dir.path, path), text);
};
const resolve = (env: Record<string, string> = {}) => resolveAvatarConfig(loadProjectConfig({ cwd: dir.path, env }));

describe('resolveAvatarConfig: the assets bucket', () => {
  it.each([
    [{ ASSETS_BUCKET_NAME: 'a', THUMBING_BUCKET_NAME: 't', DEST_BUCKET_NAME: 'd', DOMAIN_NAME: 'x.org' }, 'a', 'ASSETS_BUCKET_NAME from the environment'],
    [{ THUMBING_BUCKET_NAME: 't', DEST_BUCKET_NAME: 'd', DOMAIN_NAME: 'x.org' }, 't', 'THUMBING_BUCKET_NAME from the environment'],
    [{ DEST_BUCKET_NAME: 'd', DOMAIN_NAME: 'x.org' }, 'd', 'DEST_BUCKET_NAME from the environment'],
    [{ DOMAIN_NAME: 'https://x.org/' }, 'assets.x.org', 'assets.<DOMAIN_NAME> (DOMAIN_NAME from the environment)'],
  ])('%j -> %s', (env, value, source) => {
    expect(resolve(env).assetsBucket).toEqual({ value, source });
  });

  it("reads the CDK app's .env below the project's .env and above cruddur.json, and the local stack's defaults last", async () => {
    await write('thumbing-serverless-cdk/.env', 'THUMBING_BUCKET_NAME="assets.cdk.org"\nTHUMBING_S3_FOLDER_OUTPUT="avatars/processed/"\nPROCESS_WIDTH=256\n');
    await write('.cruddur/local.env', 'ASSETS_BUCKET_NAME=cruddur-assets\nUPLOADS_BUCKET_NAME=cruddur-uploads\n');
    await write('cruddur.json', JSON.stringify({ env: { THUMBING_S3_FOLDER_OUTPUT: 'ignored' } }));
    let config = resolve();
    expect(config.assetsBucket).toEqual({ value: 'assets.cdk.org', source: 'THUMBING_BUCKET_NAME from thumbing-serverless-cdk/.env' });
    expect(config.outputFolder).toEqual({ value: 'avatars/processed', source: 'THUMBING_S3_FOLDER_OUTPUT from thumbing-serverless-cdk/.env' });
    expect(config.width.value).toBe(256);
    expect(config.uploadsBucket).toEqual({ value: 'cruddur-uploads', source: 'UPLOADS_BUCKET_NAME from .cruddur/local.env' });
    await write('.env', 'THUMBING_S3_FOLDER_OUTPUT=from-dotenv\n');
    config = resolve();
    expect(config.outputFolder.source).toBe('THUMBING_S3_FOLDER_OUTPUT from .env');
  });

  it('refuses a size that is not a number, naming where it was set', () => {
    expect(() => resolve({ PROCESS_WIDTH: 'wide' })).toThrow('PROCESS_WIDTH from the environment is "wide", not a size in pixels');
  });
});

describe('key rules and one bucket for both', () => {
  it('the bootcamp rule: input folder replaced by the output folder, extension kept; own output and other folders ignored', () => {
    const config = resolve({ THUMBING_BUCKET_NAME: 'assets.x.org', THUMBING_S3_FOLDER_INPUT: 'avatars/original', THUMBING_S3_FOLDER_OUTPUT: 'avatars/processed' });
    expect(config.uploadsBucket?.value).toBe('assets.x.org');
    expect(config.keyRule.value).toBe('replace-folder');
    expect(uploadKeyFor(config, 'me.jpg')).toBe('avatars/original/me.jpg');
    expect(uploadKeyFor(config, 'avatars/original/me.jpg')).toBe('avatars/original/me.jpg');
    expect(avatarKeyFor(config, 'avatars/original/me.jpg')).toBe('avatars/processed/me.jpg');
    expect(avatarKeyFor(config, 'avatars/processed/me.jpg')).toBeUndefined();
    expect(avatarKeyFor(config, 'banners/me.jpg')).toBeUndefined();
  });

  it('overlapping folders in one bucket: the output folder inside the input folder is never reprocessed', () => {
    const config = resolve({ ASSETS_BUCKET_NAME: 'one', UPLOADS_BUCKET_NAME: 'one', FOLDER_INPUT: 'avatars', FOLDER_OUTPUT: 'avatars/processed' });
    expect(avatarKeyFor(config, 'avatars/me.png')).toBe('avatars/processed/me.png');
    expect(avatarKeyFor(config, 'avatars/processed/me.png')).toBeUndefined();
  });

  it("cruddur's rule without an input folder: <output>/<name>.jpg", () => {
    const config = resolve({ UPLOADS_BUCKET_NAME: 'u', ASSETS_BUCKET_NAME: 'a' });
    expect(config.keyRule.value).toBe('name');
    expect(avatarKeyFor(config, 'users/Me.PNG')).toBe('avatars/Me.jpg');
  });
});

describe('the handler folder', () => {
  const handler = async (folder: string, sharp = true) => {
    await write(`${folder}/package.json`, JSON.stringify({ name: 'x', dependencies: sharp ? { sharp: '0.34.5' } : {} }));
    await write(`${folder}/index.js`, 'exports.handler = async (event) => event;\n');
  };

  it('is the folder whose package.json lists sharp and whose index.js exports handler, not the CDK app', async () => {
    await write('thumbing-serverless-cdk/package.json', JSON.stringify({ dependencies: { sharp: '0.32.1', 'aws-cdk-lib': '2' } }));
    await handler('aws/lambdas/process-images');
    const config = resolve();
    expect(config.handler.value?.folder).toBe(join(dir.path, 'aws/lambdas/process-images'));
    expect(config.handler.source).toBe('aws/lambdas/process-images: its package.json lists sharp and index.js exports handler');
  });

  it("THUMBING_FUNCTION_PATH wins, and a Gitpod path is found again in this checkout", async () => {
    await handler('aws/lambdas/process-images');
    await handler('lambdas/thumbs');
    const config = resolve({ THUMBING_FUNCTION_PATH: '/workspaces/aws-bootcamp-cruddur-2023/lambdas/thumbs' });
    expect(config.handler.value?.folder).toBe(join(dir.path, 'lambdas/thumbs'));
    expect(rerootPath(dir.path, '/nowhere/at/all')).toBeUndefined();
  });

  it('a named folder without a handler is reported, not replaced by a guess', async () => {
    await handler('aws/lambdas/process-images');
    await write('thumbing-serverless-cdk/package.json', '{}');
    const config = resolve({ THUMBING_FUNCTION_PATH: 'thumbing-serverless-cdk' });
    expect(config.handler.value).toBeUndefined();
    expect(config.handler.source).toBe('THUMBING_FUNCTION_PATH from the environment names thumbing-serverless-cdk, which has no handler (index.js exporting handler)');
  });

  it('describeAvatarConfig prints every value with its source', async () => {
    const rows = describeAvatarConfig(resolve({ DOMAIN_NAME: 'x.org' }));
    expect(rows.map((r) => r.name)).toEqual(['uploads bucket', 'assets bucket', 'input folder', 'output folder', 'size', 'format', 'key rule', 'handler', 'CloudFront distribution', 'domain']);
    expect(rows[1]).toEqual({ name: 'assets bucket', value: 'assets.x.org', source: 'assets.<DOMAIN_NAME> (DOMAIN_NAME from the environment)' });
  });
});

describe('s3Event', () => {
  it('encodes the key as S3 notifications do (form-style, slashes kept)', () => {
    const event = s3Event('b', 'avatars/original/My Photo+1.jpg', 10, new Date('2026-01-01T00:00:00Z')) as { Records: Array<{ s3: { object: { key: string } }; eventName: string }> };
    expect(event.Records[0]?.s3.object.key).toBe('avatars/original/My+Photo%2B1.jpg');
    expect(event.Records[0]?.eventName).toBe('ObjectCreated:Put');
    expect(decodeURIComponent((event.Records[0]?.s3.object.key ?? '').replace(/\+/g, ' '))).toBe('avatars/original/My Photo+1.jpg');
  });
});
