import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAws, type FakeAws } from '../support/aws-fake.js';
import { parseJson } from '../support/cli.js';
import { runCommand } from '../support/command.js';
import { startTestS3, type TestS3 } from '../support/s3.js';
import { copyApp, tempDir, type TempDir } from '../support/tmp.js';
import { STATE_KEY } from '../../src/frontend/state.js';
import { seedObjects } from './s3rver-store.js';
import { BROKEN_DISTRIBUTION_ID, DISTRIBUTION_ID, distributionLookups, invalidationRequests, routeCloudFront } from './cloudfront-fake.js';

interface Entry {
  path: string;
  md5: string;
  action: string;
  size: number;
  reason: string;
}
interface SyncJson {
  counts: Record<string, number>;
  changeset: Entry[];
  uploaded: string[];
  deleted: string[];
  deleteBatches: number;
  invalidation: { status: string; id?: string; paths: string[] };
}
interface ErrorJson {
  error: { code: string; message: string; suggestion: string };
}

/** Every name the sample app's erb/frontend-react-js.env.erb defines. */
const FRONTEND_ENV = {
  REACT_APP_BACKEND_URL: 'https://api.example.test',
  REACT_APP_AWS_PROJECT_REGION: 'us-east-1',
  REACT_APP_AWS_USER_POOLS_ID: 'us-east-1_TEST',
  REACT_APP_CLIENT_ID: 'client',
};

const BUCKETS = ['site', 'wipe', 'guarded', 'crash', 'many', 'broken', 'mixed'];
let s3: TestS3;
let client: S3Client;
let fake: FakeAws;
let app: TempDir;
const dirs: TempDir[] = [];

const env = (extra: Record<string, string> = {}) => ({ ...s3.env, AWS_ENDPOINT_URL_CLOUDFRONT: fake.endpoint, ...extra });
// In the test process (test/support/command.ts): the sync's behaviour is the subject here, not its process.
// The built CLI as a process runs static-build and sync in workflow.e2e.test.ts and sync-quotas.e2e.test.ts.
const cli = (args: string[], extra: Record<string, string> = {}) => runCommand(args, { cwd: app.path, env: env(extra) });
const build = (...parts: string[]) => join(app.path, 'frontend-react-js', 'build', ...parts);

async function listKeys(bucket: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((o) => o.Key ?? ''));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}

async function filesUnder(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await filesUnder(join(dir, entry.name), rel)));
    else out.push(rel);
  }
  return out.sort();
}

beforeAll(async () => {
  [s3, fake, app] = await Promise.all([startTestS3(BUCKETS), startFakeAws(), copyApp()]);
  routeCloudFront(fake);
  client = s3.client();
  // The bootcamp's sync.env, with its misspelt distribution variable.
  await writeFile(
    join(app.path, 'sync.env'),
    ['SYNC_S3_BUCKET=site', `SYNC_CLOUDFRONT_DISTRUBTION_ID=${DISTRIBUTION_ID}`, 'SYNC_BUILD_DIR=frontend-react-js/build', 'SYNC_OUTPUT_CHANGESET_PATH=tmp/changeset.json', 'SYNC_AUTO_APPROVE=false', ''].join('\n'),
  );
  const built = await cli(['frontend', 'static-build'], FRONTEND_ENV);
  expect(built.exitCode, built.stderr).toBe(0);
});

afterAll(async () => {
  await Promise.all([s3?.stop(), fake?.stop(), app?.cleanup(), ...dirs.map((d) => d.cleanup())]);
});

describe('frontend sync against s3rver', () => {
  it('refuses without a TTY and without --auto-approve, changing nothing', async () => {
    const result = await cli(['frontend', 'sync', '--json']);
    expect(result.exitCode).toBe(1);
    expect(parseJson<ErrorJson>(result).error.code).toBe('CONFIRMATION_REQUIRED');
    expect(parseJson<ErrorJson>(result).error.suggestion).toMatch(/--auto-approve/);
    expect(await listKeys('site')).toEqual([]);
    expect(invalidationRequests(fake)).toEqual([]);
  });

  it('first sync uploads every file with its Content-Type, Cache-Control and bytes, then invalidates once', async () => {
    const result = await cli(['frontend', 'sync', '--auto-approve', '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const json = parseJson<SyncJson>(result);
    const files = await filesUnder(build());
    expect(files).toHaveLength(6);
    expect(json.counts).toEqual({ create: 6, update: 0, delete: 0, no_change: 0, ignore: 0 });
    expect(await listKeys('site')).toEqual(files);
    // HTML entry points go last.
    expect(json.uploaded.at(-1)).toBe('index.html');
    const expected: Record<string, [string, string | undefined]> = {
      'index.html': ['text/html; charset=utf-8', 'no-cache'],
      // Not content-hashed: revalidated on every visit, so a deploy is seen at once (issue 23).
      'manifest.json': ['application/json; charset=utf-8', 'no-cache'],
      'favicon.svg': ['image/svg+xml', 'no-cache'],
      'robots.txt': ['text/plain; charset=utf-8', 'no-cache'],
    };
    for (const file of files) {
      const object = await client.send(new GetObjectCommand({ Bucket: 'site', Key: file }));
      const bytes = Buffer.from(await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
      expect(bytes.equals(await readFile(build(file))), file).toBe(true);
      if (file.startsWith('static/js/')) {
        expect([object.ContentType, object.CacheControl]).toEqual(['text/javascript; charset=utf-8', 'public, max-age=31536000, immutable']);
      } else if (file.startsWith('static/css/')) {
        expect([object.ContentType, object.CacheControl]).toEqual(['text/css; charset=utf-8', 'public, max-age=31536000, immutable']);
      } else {
        expect([object.ContentType, object.CacheControl], file).toEqual(expected[file]);
      }
    }
    expect(distributionLookups(fake)).toContain(DISTRIBUTION_ID);
    expect(invalidationRequests(fake)).toEqual([['/', ...files.map((f) => `/${f}`)].sort()]);
    expect(json.invalidation).toMatchObject({ status: 'created', id: 'I1' });
    const changeset = JSON.parse(await readFile(join(app.path, 'tmp', 'changeset.json'), 'utf8')) as Entry[];
    expect(changeset).toEqual(json.changeset);
  });

  it('second sync plans all no_change and uploads nothing', async () => {
    const before = fake.requests.length;
    const result = await cli(['frontend', 'sync', '--auto-approve', '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const json = parseJson<SyncJson>(result);
    expect(json.counts).toEqual({ create: 0, update: 0, delete: 0, no_change: 6, ignore: 0 });
    expect(json.uploaded).toEqual([]);
    expect(json.changeset.every((e) => e.reason === 'same size and MD5')).toBe(true);
    expect(invalidationRequests(fake)).toHaveLength(1);
    expect(fake.requests.slice(before).map((r) => r.method)).toEqual(['GET']);
  });

  it('one same-size edit is one update, one removed file is one delete, the changeset file matches, and GitHub gets a summary', async () => {
    const robots = await readFile(build('robots.txt'), 'utf8');
    await writeFile(build('robots.txt'), robots.replace(/./, (c) => (c === 'U' ? 'X' : 'U')));
    await rm(build('favicon.svg'));
    const summary = await tempDir('cruddur-summary-');
    dirs.push(summary);
    const summaryFile = join(summary.path, 'summary.md');
    const result = await cli(['frontend', 'sync', '--auto-approve', '--wait', '--json'], { GITHUB_STEP_SUMMARY: summaryFile });
    expect(result.exitCode, result.stderr).toBe(0);
    const json = parseJson<SyncJson>(result);
    expect(json.counts).toEqual({ create: 0, update: 1, delete: 1, no_change: 4, ignore: 0 });
    const changed = json.changeset.filter((e) => e.action !== 'no_change');
    expect(changed).toEqual([
      expect.objectContaining({ path: 'favicon.svg', action: 'delete', reason: 'not in the build' }),
      expect.objectContaining({ path: 'robots.txt', action: 'update', reason: expect.stringMatching(/^content differs/), size: Buffer.byteLength(robots) }),
    ]);
    expect(json.uploaded).toEqual(['robots.txt']);
    expect(json.deleted).toEqual(['favicon.svg']);
    expect(await listKeys('site')).not.toContain('favicon.svg');
    expect(JSON.parse(await readFile(join(app.path, 'tmp', 'changeset.json'), 'utf8'))).toEqual(json.changeset);
    expect(invalidationRequests(fake).at(-1)).toEqual(['/favicon.svg', '/robots.txt']);
    expect(json.invalidation).toMatchObject({ status: 'completed', id: 'I2' });
    expect(fake.requests.at(-1)).toMatchObject({ method: 'GET', path: `/2020-05-31/distribution/${DISTRIBUTION_ID}/invalidation/I2` });
    const markdown = await readFile(summaryFile, 'utf8');
    expect(markdown).toContain('### Frontend sync to `s3://site`');
    expect(markdown).toContain('| 0 | 1 | 1 | 4 | 0 |');
  });

  it('deletes 1,001 bucket-only objects in 2 batches (DeleteObjects takes 1,000 keys), but only once --max-delete allows it', async () => {
    // 1,001 keys: the fewest that need a second batch. Seeded into s3rver's store (2,500 PutObjects cost ~15 s of
    // CPU), in 40 folders: s3rver lists a key's folder after each delete, which in one folder of thousands took 40 s.
    const keys = Array.from({ length: 1001 }, (_, i) => `old/${String(i % 40).padStart(2, '0')}/${String(i).padStart(4, '0')}.txt`);
    await seedObjects(s3, 'wipe', keys);
    const refused = await cli(['frontend', 'sync', '--bucket', 'wipe', '--auto-approve', '--json']);
    expect(refused.exitCode).toBe(1);
    const error = parseJson<ErrorJson>(refused).error;
    expect(error.code).toBe('SYNC_TOO_MANY_DELETES');
    expect(error.message).toMatch(/deletes 1001 objects, more than --max-delete 256/);
    expect(await listKeys('wipe')).toHaveLength(1001);

    const result = await cli(['frontend', 'sync', '--bucket', 'wipe', '--auto-approve', '--max-delete', '3000', '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const json = parseJson<SyncJson>(result);
    expect(json.deleted).toHaveLength(1001);
    expect(json.deleteBatches).toBe(2);
    expect(await listKeys('wipe')).toEqual(await filesUnder(build()));
    // 1,001 deleted paths coalesce to a few wildcards.
    const paths = invalidationRequests(fake).at(-1) ?? [];
    expect(paths).toContain('/old/*');
    expect(paths).toContain('/');
    expect(paths.length).toBeLessThanOrEqual(15);
    expect(paths.filter((p) => p.startsWith('/old/'))).toEqual(['/old/*']);
  });

  it('converges after a crash: a re-run uploads only what is missing or broken', async () => {
    const files = await filesUnder(build());
    // The state a killed sync leaves: some objects uploaded, one cut short.
    for (const file of files.slice(0, 2)) await client.send(new PutObjectCommand({ Bucket: 'crash', Key: file, Body: await readFile(build(file)) }));
    const broken = files[2] as string;
    await client.send(new PutObjectCommand({ Bucket: 'crash', Key: broken, Body: (await readFile(build(broken))).subarray(0, 3) }));
    const result = await cli(['frontend', 'sync', '--bucket', 'crash', '--auto-approve', '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const json = parseJson<SyncJson>(result);
    expect(json.counts).toMatchObject({ create: files.length - 3, update: 1, no_change: 2 });
    expect(json.changeset.find((e) => e.path === broken)?.reason).toMatch(/size differs/);
    const again = parseJson<SyncJson>(await cli(['frontend', 'sync', '--bucket', 'crash', '--auto-approve', '--json']));
    expect(again.counts).toMatchObject({ create: 0, update: 0, delete: 0, no_change: files.length });
  });

  it('hashes a big tree on the worker thread and uploads the bytes intact', async () => {
    const big = join(app.path, 'big-build');
    const expected = new Map<string, Buffer>();
    for (let i = 0; i < 250; i++) {
      const file = `static/js/c${i % 5}/chunk${i}.js`;
      const bytes = Buffer.from(`/* ${i} */ ${'x'.repeat(i * 13)}`);
      await mkdir(join(big, file, '..'), { recursive: true });
      await writeFile(join(big, file), bytes);
      expected.set(file, bytes);
    }
    const result = await cli(['frontend', 'sync', '--bucket', 'many', '--build-dir', big, '--auto-approve', '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const json = parseJson<SyncJson>(result);
    expect(json.counts.create).toBe(250);
    for (const file of ['static/js/c0/chunk0.js', 'static/js/c3/chunk138.js', 'static/js/c4/chunk249.js']) {
      const object = await client.send(new GetObjectCommand({ Bucket: 'many', Key: file }));
      const bytes = Buffer.from(await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
      expect(bytes.equals(expected.get(file) as Buffer), file).toBe(true);
    }
    const again = parseJson<SyncJson>(await cli(['frontend', 'sync', '--bucket', 'many', '--build-dir', big, '--auto-approve', '--json']));
    expect(again.counts).toMatchObject({ create: 0, update: 0, no_change: 250 });
  });

  it('exits 1 when the invalidation fails after the uploads, and still reports to GitHub', async () => {
    const summary = await tempDir('cruddur-summary-');
    dirs.push(summary);
    const summaryFile = join(summary.path, 'summary.md');
    const result = await cli(['frontend', 'sync', '--bucket', 'broken', '--distribution-id', BROKEN_DISTRIBUTION_ID, '--auto-approve', '--json'], {
      GITHUB_STEP_SUMMARY: summaryFile,
      AWS_MAX_ATTEMPTS: '1',
    });
    expect(result.exitCode).toBe(1);
    const error = parseJson<ErrorJson>(result).error;
    expect(error.code).toBe('SYNC_FAILED');
    expect(error.message).toMatch(/^Sync incomplete: the invalidation failed: Could not invalidate (\/\S*|\d+ paths) on CloudFront distribution E2BROKENDISTR01/);
    expect(error.suggestion).toMatch(/run the sync again/);
    // What is owed stays in the bucket (not in this checkout), for the next run from any checkout.
    expect(await listKeys('broken')).toEqual([STATE_KEY, ...(await filesUnder(build()))].sort());
    const state = await client.send(new GetObjectCommand({ Bucket: 'broken', Key: STATE_KEY }));
    const owed = (JSON.parse(await (state.Body as { transformToString(): Promise<string> }).transformToString()) as { owed: string[] }).owed;
    expect(owed).toEqual(await filesUnder(build()));
    expect(await readFile(summaryFile, 'utf8')).toContain('CloudFront: failed');
  });

  it.each<[string, string[], string, RegExp]>([
    ['a missing bucket', ['--bucket', 'no-such-bucket'], 'SYNC_NO_BUCKET', /bucket no-such-bucket does not exist/],
    ['a missing distribution', ['--bucket', 'guarded', '--distribution-id', 'ENOSUCHDIST'], 'SYNC_NO_DISTRIBUTION', /distribution ENOSUCHDIST does not exist/],
    ['a missing build dir', ['--bucket', 'guarded', '--build-dir', 'nope'], 'SYNC_NO_BUILD_DIR', /nope does not exist/],
  ])('refuses %s with a clear error and changes nothing', async (_name, args, code, message) => {
    const before = invalidationRequests(fake).length;
    const result = await cli(['frontend', 'sync', '--auto-approve', '--json', ...args]);
    expect(result.exitCode).toBe(1);
    const error = parseJson<ErrorJson>(result).error;
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.suggestion).toBeTruthy();
    expect(await listKeys('guarded')).toEqual([]);
    expect(invalidationRequests(fake)).toHaveLength(before);
  });

  it('a header change that failed part-way is undone by the next plain run (s3rver refuses CopyObject for "+" keys)', async () => {
    const dir = await tempDir('cruddur-mixed-');
    dirs.push(dir);
    const files = { 'a.txt': 'a', 'plus+sign.txt': 'plus', 'index.html': '<p>hi</p>' };
    for (const [name, content] of Object.entries(files)) await writeFile(join(dir.path, name), content);
    const run = (...extra: string[]) => cli(['frontend', 'sync', '--bucket', 'mixed', '--build-dir', dir.path, '--auto-approve', ...extra]);
    const cacheControl = async (key: string) => (await client.send(new HeadObjectCommand({ Bucket: 'mixed', Key: key }))).CacheControl;
    expect((await run()).exitCode).toBe(0);
    const failed = await run('--cache-control', '*.txt=public, max-age=60');
    expect(failed.exitCode).toBe(1);
    // s3rver's bug (docs/frontend.md): the URL-encoded CopySource of a "+" key is not found. It names the object, not the bucket.
    expect(failed.stderr).toContain('Error: Sync incomplete: 1 object failed (first: plus+sign.txt: Could not update the headers of s3://mixed/plus+sign.txt: the object does not exist)');
    expect(await cacheControl('a.txt')).toBe('public, max-age=60');
    const back = await run('--json');
    // plus+sign.txt's copy fails again on s3rver; a.txt converges (before: "Nothing to change", a.txt kept max-age=60).
    expect(back.exitCode).toBe(1);
    expect(await cacheControl('a.txt')).toBe('no-cache');
    expect(await cacheControl('plus+sign.txt')).toBe('no-cache');
    expect(await cacheControl('index.html')).toBe('no-cache');
  });

  it('refuses an empty build dir (it would delete the site)', async () => {
    const empty = join(app.path, 'empty-build');
    await mkdir(empty);
    const result = await cli(['frontend', 'sync', '--auto-approve', '--build-dir', empty]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/Error: The build dir .*empty-build is empty; refusing to sync/);
    expect(result.stderr).toMatch(/Try: run `cruddur frontend static-build`/);
    expect(await listKeys('site')).toHaveLength(5);
  });

  it('--dry-run plans and writes the changeset without uploading', async () => {
    await writeFile(build('new.txt'), 'new');
    await writeFile(build('static', '.DS_Store'), 'junk');
    const result = await cli(['frontend', 'sync', '--dry-run', '--changeset', 'tmp/dry.json', '--ignore', '.DS_Store', '--ignore', 'robots.txt']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/create\s+new\.txt/);
    expect(result.stdout).toContain('Dry run: nothing was changed.');
    expect(await listKeys('site')).not.toContain('new.txt');
    const changeset = JSON.parse(await readFile(join(app.path, 'tmp', 'dry.json'), 'utf8')) as Entry[];
    expect(changeset.find((e) => e.path === 'new.txt')).toMatchObject({ action: 'create', size: 3 });
    expect(changeset.find((e) => e.path === 'static/.DS_Store')).toMatchObject({ action: 'ignore', reason: 'matches the ignore list' });
    expect(changeset.find((e) => e.path === 'robots.txt')).toMatchObject({ action: 'ignore' });
    await rm(build('new.txt'));
    await rm(build('static', '.DS_Store'));
  });
});

describe('frontend static-build', () => {
  it('refuses before building when names the env template defines are unset, and says which', async () => {
    const { REACT_APP_CLIENT_ID: _unset, ...partial } = FRONTEND_ENV;
    const before = await filesUnder(build());
    const result = await cli(['frontend', 'static-build'], partial);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/Error: The frontend env template needs REACT_APP_CLIENT_ID, but it is not set \(erb\/frontend-react-js.env.erb\)/);
    expect(result.stderr).toMatch(/Try: .*--allow-missing/);
    expect(result.stderr).not.toMatch(/npm run build/);
    expect(await filesUnder(build())).toEqual(before);
    const allowed = await cli(['frontend', 'static-build', '--allow-missing', '--json'], partial);
    expect(allowed.exitCode, allowed.stderr).toBe(0);
    expect(parseJson<{ missing: string[] }>(allowed).missing).toEqual(['REACT_APP_CLIENT_ID']);
  });

  it('keeps the build exit code and says why', async () => {
    const result = await cli(['frontend', 'static-build', '--allow-missing']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('build failed: REACT_APP_BACKEND_URL is missing');
    expect(result.stderr).toMatch(/Error: npm run build failed with exit code 1/);
  });

  it('reads REACT_APP_* from frontend-react-js.env', async () => {
    await writeFile(join(app.path, 'frontend-react-js.env'), 'REACT_APP_BACKEND_URL=https://from-file.example.test\n');
    const result = await cli(['frontend', 'static-build', '--json', '--allow-missing']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(parseJson<{ variables: unknown[] }>(result).variables).toEqual([{ name: 'REACT_APP_BACKEND_URL', source: 'frontend-react-js.env' }]);
    const js = (await filesUnder(build('static', 'js')))[0] ?? '';
    expect(await readFile(build('static', 'js', js), 'utf8')).toContain('https://from-file.example.test');
  });

  it.each<[string, (root: string) => Promise<void>, RegExp]>([
    ['no frontend folder', (root) => rm(join(root, 'frontend-react-js'), { recursive: true }), /No frontend app at frontend-react-js/],
    ['no build script', (root) => writeFile(join(root, 'frontend-react-js', 'package.json'), '{"scripts":{}}'), /has no "build" script/],
  ])('fails clearly with %s', async (_name, breakIt, message) => {
    const copy = await copyApp();
    dirs.push(copy);
    await breakIt(copy.path);
    const result = await runCommand(['frontend', 'static-build'], { cwd: copy.path, env: env() });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(/Try: /);
  });
});
