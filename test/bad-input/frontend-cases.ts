// Bad-input cases for `cruddur frontend sync` (run by bad-input.e2e.test.ts with the rest of the corpus).
// The build dir is made by each case's setup, so the "no partial writes" snapshot includes it: a refused
// sync must not leave its changeset (tmp/changeset.json by default) behind either.
import { mkdir, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BadInputCase, CaseContext } from './corpus.js';

const BUILD = 'frontend-react-js/build';

/** A small build: index.html, a hashed bundle, and whatever `extra` adds (path -> content). */
async function build(ctx: CaseContext, extra: Record<string, string | Buffer> = {}, base = BUILD): Promise<void> {
  const files: Record<string, string | Buffer> = {
    'index.html': '<!doctype html><script src="/static/js/main.3f2a1b.js"></script>',
    'static/js/main.3f2a1b.js': 'console.log("hi")\n',
    ...extra,
  };
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(ctx.app, base, path, '..'), { recursive: true });
    await writeFile(join(ctx.app, base, path), content);
  }
}

const site = (ctx: CaseContext) => ({ ...ctx.s3 });

export const FRONTEND_CASES: BadInputCase[] = [
  {
    name: 'frontend: static-build with names of the env template unset (REACT_APP_* variable missing)',
    args: ['frontend', 'static-build'],
    exitCode: 1,
    error: /^The frontend env template needs REACT_APP_BACKEND_URL, .* but they are not set/,
  },
  {
    name: 'frontend: missing build dir',
    args: ['frontend', 'sync', '--auto-approve'],
    env: site,
    exitCode: 1,
    error: /^The build dir .*frontend-react-js\/build does not exist$/,
  },
  {
    name: 'frontend: empty build dir',
    args: ['frontend', 'sync', '--auto-approve'],
    env: site,
    setup: (ctx) => mkdir(join(ctx.app, BUILD), { recursive: true }).then(() => undefined),
    exitCode: 1,
    error: /^The build dir .* is empty; refusing to sync \(it would delete the whole site\)$/,
  },
  {
    name: 'frontend: --build-dir that is a file (malformed build)',
    args: ['frontend', 'sync', '--auto-approve', '--build-dir', 'frontend-react-js/package.json'],
    env: site,
    exitCode: 1,
    error: /^The build dir .*package\.json is a file, not a folder$/,
  },
  {
    name: 'frontend: build dir holding only a symlink loop',
    args: ['frontend', 'sync', '--auto-approve'],
    env: site,
    setup: async (ctx) => {
      await mkdir(join(ctx.app, BUILD, 'static'), { recursive: true });
      await symlink(join(ctx.app, BUILD), join(ctx.app, BUILD, 'static', 'again'));
      await symlink(join(ctx.app, BUILD, 'self'), join(ctx.app, BUILD, 'self'));
    },
    exitCode: 1,
    error: /^The build dir .* is empty; refusing to sync/,
  },
  {
    name: 'frontend: build dir path with spaces and unicode that does not exist',
    args: ['frontend', 'sync', '--auto-approve', '--build-dir', 'dist with spaces/ünïcödé'],
    env: site,
    exitCode: 1,
    error: /^The build dir .*dist with spaces\/ünïcödé does not exist$/,
  },
  {
    name: 'frontend: files with spaces, unicode and 0 bytes, but no terminal and no --auto-approve',
    args: ['frontend', 'sync'],
    env: site,
    setup: async (ctx) => {
      await build(ctx, { 'images/my photo ünï.png': Buffer.from([0x89, 0x50]), 'empty.txt': '' });
      await truncate(join(ctx.app, BUILD, 'empty.txt'), 0);
    },
    exitCode: 1,
    error: /^Refusing to continue without confirmation: Upload 4 and delete 0 objects in s3:\/\/cruddur-site\?$/,
  },
  {
    name: 'frontend: a build dir of 0-byte files to an unknown bucket',
    args: ['frontend', 'sync', '--auto-approve', '--bucket', 'no-such-bucket'],
    env: site,
    setup: async (ctx) => {
      await build(ctx, { 'index.html': '', 'robots.txt': '' });
    },
    exitCode: 1,
    error: /^The bucket no-such-bucket does not exist \(or is not visible with these credentials\)$/,
  },
  {
    name: 'frontend: access denied (403) listing the bucket',
    args: ['frontend', 'sync', '--auto-approve'],
    env: (ctx) => ({ ...ctx.s3Denied }),
    setup: (ctx) => build(ctx),
    exitCode: 1,
    error: /^Could not list bucket cruddur-site: access denied$/,
  },
  {
    name: 'frontend: CloudFront distribution that does not exist',
    args: ['frontend', 'sync', '--auto-approve', '--distribution-id', 'EMISSING0000'],
    env: (ctx) => ({ ...ctx.s3, AWS_ENDPOINT_URL_CLOUDFRONT: ctx.fakeAws }),
    setup: (ctx) => build(ctx),
    exitCode: 1,
    error: /^The CloudFront distribution EMISSING0000 does not exist$/,
  },
  {
    name: 'frontend: --cache-control without GLOB=VALUE',
    args: ['frontend', 'sync', '--auto-approve', '--cache-control', 'max-age=60'],
    env: site,
    setup: (ctx) => build(ctx),
    exitCode: 2,
    error: /^Invalid --cache-control rule "max-age=60": "60" is not a Cache-Control directive$/,
  },
  {
    name: 'frontend: --cache-control with an empty value',
    args: ['frontend', 'sync', '--auto-approve', '--cache-control', '*.js='],
    env: site,
    setup: (ctx) => build(ctx),
    exitCode: 2,
    error: /^Invalid --cache-control rule "\*\.js="$/,
  },
  {
    name: 'frontend: empty --ignore glob',
    args: ['frontend', 'sync', '--auto-approve', '--ignore', ''],
    env: site,
    setup: (ctx) => build(ctx),
    exitCode: 2,
    error: /^--ignore needs a glob, got an empty value$/,
  },
  {
    name: 'frontend: SYNC_AUTO_APPROVE that is not a boolean',
    args: ['frontend', 'sync'],
    env: (ctx) => ({ ...ctx.s3, SYNC_AUTO_APPROVE: 'maybe' }),
    setup: (ctx) => build(ctx),
    exitCode: 2,
    error: /^SYNC_AUTO_APPROVE=maybe is not a boolean$/,
  },
  {
    name: 'frontend: --max-delete exceeded leaves no changeset behind',
    args: ['frontend', 'sync', '--auto-approve', '--max-delete', '0', '--bucket', 'cruddur-assets'],
    env: site,
    setup: async (ctx) => {
      await build(ctx);
      // cruddur-assets holds objects from nothing in this build: put one there so the plan deletes it.
      const { S3Client, PutObjectCommand } = await import('@aws-sdk/client-s3');
      const client = new S3Client({
        endpoint: ctx.s3.AWS_ENDPOINT_URL_S3 ?? ctx.s3.AWS_ENDPOINT_URL,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: ctx.s3.AWS_ACCESS_KEY_ID ?? 'S3RVER', secretAccessKey: ctx.s3.AWS_SECRET_ACCESS_KEY ?? 'S3RVER' },
      });
      await client.send(new PutObjectCommand({ Bucket: 'cruddur-assets', Key: 'old/stale.js', Body: 'x' }));
      client.destroy();
    },
    exitCode: 1,
    error: /^The plan deletes \d+ objects?, more than --max-delete 0; nothing was changed$/,
  },
  {
    name: 'frontend: no bucket configured',
    args: ['frontend', 'sync', '--auto-approve'],
    env: (ctx) => ({ ...ctx.s3, SYNC_S3_BUCKET: '' }),
    setup: (ctx) => build(ctx),
    exitCode: 2,
    error: /^No bucket to sync to$/,
  },
  // Issue 23: aws s3 sync / s3deploy options and routes, refused before anything is sent.
  {
    name: 'frontend: --acl that is not a canned ACL',
    args: ['frontend', 'sync', '--auto-approve', '--acl', 'public'],
    env: site,
    setup: (ctx) => build(ctx),
    exitCode: 2,
    error: /^--acl public is not one of private, public-read, public-read-write, authenticated-read, aws-exec-read, bucket-owner-read, bucket-owner-full-control, log-delivery-write$/,
  },
  {
    name: 'frontend: --sse-kms-key-id without --sse aws:kms',
    args: ['frontend', 'sync', '--auto-approve', '--sse', 'AES256', '--sse-kms-key-id', 'alias/site'],
    env: site,
    setup: (ctx) => build(ctx),
    exitCode: 2,
    error: /^--sse-kms-key-id needs --sse aws:kms$/,
  },
  {
    name: 'frontend: --storage-class that does not exist',
    args: ['frontend', 'sync', '--auto-approve', '--storage-class', 'standard'],
    env: site,
    setup: (ctx) => build(ctx),
    exitCode: 2,
    error: /^--storage-class standard is not one of STANDARD, /,
  },
  {
    name: 'frontend: --prefix that climbs out',
    args: ['frontend', 'sync', '--auto-approve', '--prefix', 'app/../other'],
    env: site,
    setup: (ctx) => build(ctx),
    exitCode: 2,
    error: /^--prefix "app\/\.\.\/other" is not a key prefix \(segment "\.\."\)$/,
  },
  {
    name: 'frontend: a route header S3 cannot set in cruddur.json',
    args: ['frontend', 'sync', '--auto-approve'],
    env: site,
    setup: async (ctx) => {
      await build(ctx);
      await writeFile(join(ctx.app, 'cruddur.json'), JSON.stringify({ frontend: { routes: [{ match: '*.js', headers: { 'X-Frame-Options': 'DENY' } }] } }));
    },
    exitCode: 2,
    error: /^cruddur\.json: frontend\.routes\[0\]\.headers: "X-Frame-Options" is not a header a route may set$/,
  },
  {
    name: 'frontend: --bucket \'\' with SYNC_S3_BUCKET set (an empty flag never falls back)',
    args: ['frontend', 'sync', '--auto-approve', '--bucket', ''],
    env: site,
    setup: (ctx) => build(ctx),
    exitCode: 2,
    error: /^--bucket was given an empty value$/,
  },
  {
    name: 'frontend: --distribution-id \'\'',
    args: ['frontend', 'sync', '--dry-run', '--distribution-id', ''],
    env: site,
    setup: (ctx) => build(ctx),
    exitCode: 2,
    error: /^--distribution-id was given an empty value$/,
  },
  {
    name: 'frontend: an invalid bucket name',
    args: ['frontend', 'sync', '--auto-approve', '--bucket', 'Bad_Bucket!'],
    env: site,
    setup: (ctx) => build(ctx),
    exitCode: 2,
    error: /^"Bad_Bucket!" \(from --bucket\) is not a valid S3 bucket name: "B" is not allowed \(lowercase letters, digits, "\." and "-" only\)$/,
  },
  {
    name: 'frontend: an invalid distribution id, even with --dry-run, is refused before any request',
    args: ['frontend', 'sync', '--dry-run', '--distribution-id', 'bad id'],
    // A CloudFront that cannot be reached: the id must be refused before any call to it.
    env: (ctx) => ({ ...ctx.s3, AWS_ENDPOINT_URL_CLOUDFRONT: 'http://cloudfront.invalid' }),
    setup: (ctx) => build(ctx),
    exitCode: 2,
    error: /^"bad id" \(from --distribution-id\) is not a CloudFront distribution id/,
  },
  {
    name: 'frontend: static-build --script \'\'',
    args: ['frontend', 'static-build', '--script', ''],
    exitCode: 2,
    error: /^--script was given an empty value$/,
  },
];
