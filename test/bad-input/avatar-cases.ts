// Bad-input cases for `cruddur avatar` (run by bad-input.e2e.test.ts with the rest of the corpus).
import { mkdir, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BadInputCase, CaseContext } from './corpus.js';

async function put(ctx: CaseContext, path: string, content: string | Buffer): Promise<void> {
  await mkdir(join(ctx.app, path, '..'), { recursive: true });
  await writeFile(join(ctx.app, path), content);
}

/** A real 64x64 JPEG made by sharp. */
async function jpeg(): Promise<Buffer> {
  const { default: sharp } = await import('sharp');
  return sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 200, g: 40, b: 90 } } }).jpeg({ quality: 90 }).toBuffer();
}

const uploads = (ctx: CaseContext) => ({ ...ctx.s3 });

export const AVATAR_CASES: BadInputCase[] = [
  {
    name: 'avatar: upload --key that names a folder',
    args: ['avatar', 'upload', 'me.jpg', '--key', 'x/'],
    exitCode: 2,
    error: /^--key "x\/" names a folder, not an object$/,
  },
  {
    name: 'avatar: build without a Lambda folder',
    args: ['avatar', 'build'],
    exitCode: 1,
    error: /^No Lambda handler folder: no folder with a handler and sharp among thumbing-serverless-cdk, aws\/lambdas\/process-images$/,
  },
  {
    name: 'avatar: process a file that does not exist',
    args: ['avatar', 'process', 'nope.jpg', '--out', 'out'],
    exitCode: 1,
    error: /^1 of 1 files could not be made into avatars: nope\.jpg$/,
  },
  {
    name: 'avatar: process a non-image writes nothing',
    args: ['avatar', 'process', 'README.md', '--out', 'avatars out'],
    exitCode: 1,
    error: /^1 of 1 files could not be made into avatars: README\.md$/,
  },
  {
    name: 'avatar: a text file named .jpg',
    args: ['avatar', 'upload', 'photo.jpg'],
    env: uploads,
    setup: (ctx) => put(ctx, 'photo.jpg', 'this is not a picture\n'),
    exitCode: 1,
    error: /photo\.jpg is not an image the thumbnail Lambda can read: not an image in a supported format/,
  },
  {
    name: 'avatar: a 0-byte file',
    args: ['avatar', 'upload', 'empty.png'],
    env: uploads,
    setup: (ctx) => put(ctx, 'empty.png', ''),
    exitCode: 1,
    error: /empty\.png is not an image the thumbnail Lambda can read: empty file \(0 bytes\)$/,
  },
  {
    name: 'avatar: a truncated JPEG',
    args: ['avatar', 'upload', 'cut.jpg'],
    env: uploads,
    setup: async (ctx) => {
      const full = await jpeg();
      await put(ctx, 'cut.jpg', full.subarray(0, Math.floor(full.length / 2)));
    },
    exitCode: 1,
    error: /cut\.jpg is not an image the thumbnail Lambda can read: truncated or corrupt image/,
  },
  {
    name: 'avatar: a text file named .heic',
    args: ['avatar', 'upload', 'IMG_0001.HEIC'],
    env: uploads,
    setup: (ctx) => put(ctx, 'IMG_0001.HEIC', 'ftypheic? no, just text\n'),
    exitCode: 1,
    error: /IMG_0001\.HEIC is not an image the thumbnail Lambda can read/,
  },
  {
    name: 'avatar: a file that does not exist',
    args: ['avatar', 'upload', 'nope.jpg'],
    env: uploads,
    exitCode: 1,
    error: /nope\.jpg does not exist$/,
  },
  {
    name: 'avatar: a path with spaces and unicode that is not an image',
    args: ['avatar', 'upload', 'my photos/ünïcödé avatar.png'],
    env: uploads,
    setup: (ctx) => put(ctx, 'my photos/ünïcödé avatar.png', '<html>nope</html>'),
    exitCode: 1,
    error: /my photos\/ünïcödé avatar\.png is not an image the thumbnail Lambda can read/,
  },
  {
    name: 'avatar: upload to an unknown bucket',
    args: ['avatar', 'upload', 'ok.jpg'],
    env: (ctx) => ({ ...ctx.s3, UPLOADS_BUCKET_NAME: 'no-such-uploads' }),
    setup: async (ctx) => put(ctx, 'ok.jpg', await jpeg()),
    exitCode: 1,
    error: /^Could not upload s3:\/\/no-such-uploads\/ok\.jpg: the bucket does not exist$/,
  },
  {
    name: 'avatar: access denied (403) on upload',
    args: ['avatar', 'upload', 'ok.jpg'],
    env: (ctx) => ({ ...ctx.s3Denied }),
    setup: async (ctx) => put(ctx, 'ok.jpg', await jpeg()),
    exitCode: 1,
    error: /^Could not upload s3:\/\/cruddur-uploads\/ok\.jpg: access denied$/,
  },
  {
    name: 'avatar: UPLOADS_BUCKET_NAME not set',
    args: ['avatar', 'upload', 'ok.jpg'],
    env: (ctx) => ({ ...ctx.s3, UPLOADS_BUCKET_NAME: '' }),
    setup: async (ctx) => put(ctx, 'ok.jpg', await jpeg()),
    exitCode: 1,
    error: /^UPLOADS_BUCKET_NAME is not set \(the bucket the thumbnail Lambda watches\)$/,
  },
  {
    name: 'avatar: --wait without ASSETS_BUCKET_NAME',
    args: ['avatar', 'upload', 'ok.jpg', '--wait'],
    env: (ctx) => ({ ...ctx.s3, ASSETS_BUCKET_NAME: '' }),
    setup: async (ctx) => put(ctx, 'ok.jpg', await jpeg()),
    exitCode: 1,
    error: /^ASSETS_BUCKET_NAME is not set/,
  },
  {
    name: 'avatar: clear --all without --yes and no terminal',
    args: ['avatar', 'clear', '--all'],
    env: uploads,
    // Something to delete, so the question is asked (an empty bucket needs no confirmation).
    setup: async (ctx) => {
      const { S3Client, PutObjectCommand } = await import('@aws-sdk/client-s3');
      const client = new S3Client({ endpoint: ctx.s3.AWS_ENDPOINT_URL_S3 ?? ctx.s3.AWS_ENDPOINT_URL, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
      await client.send(new PutObjectCommand({ Bucket: 'cruddur-uploads', Key: 'someone.jpg', Body: 'x' }));
      client.destroy();
    },
    exitCode: 1,
    error: /^Refusing to continue without confirmation: Delete all 1 object in s3:\/\/cruddur-uploads and 0 avatars in s3:\/\/cruddur-assets\/avatars\/\?$/,
  },
  {
    name: 'avatar: clear --all --key together',
    args: ['avatar', 'clear', '--all', '--key', 'a.jpg'],
    env: uploads,
    exitCode: 2,
    error: /cannot also be provided when using/,
  },
  {
    name: 'avatar: a 6 GB sparse file is checked by its header, not read into memory',
    args: ['avatar', 'upload', 'huge.jpg'],
    env: uploads,
    setup: async (ctx) => {
      await put(ctx, 'huge.jpg', '');
      await truncate(join(ctx.app, 'huge.jpg'), 6 * 1024 ** 3);
    },
    exitCode: 1,
    error: /huge\.jpg is not an image the thumbnail Lambda can read: not an image in a supported format/,
  },
  {
    name: 'avatar: a file over the 5 TB S3 object limit (sparse) is refused before reading',
    args: ['avatar', 'upload', 'enormous.jpg'],
    env: uploads,
    setup: async (ctx) => {
      await put(ctx, 'enormous.jpg', await jpeg());
      await truncate(join(ctx.app, 'enormous.jpg'), 5 * 1024 ** 4 + 1);
    },
    exitCode: 1,
    error: /enormous\.jpg is \d.* bytes, over the 5 TiB S3 object limit/,
  },
];
