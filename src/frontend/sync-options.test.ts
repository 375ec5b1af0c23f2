import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidationQuotas, quotaCdn } from '../../test/frontend/cloudfront-fake.js';
import { MemoryStore } from '../../test/frontend/memory-store.js';
import { putFile, syncSettings, writeTree } from '../../test/frontend/sync-harness.js';
import { tempDir, type TempDir } from '../../test/support/tmp.js';
import type { Logger } from '../core/output.js';
import { silentLogger } from '../core/output.js';
import { IMMUTABLE, NO_CACHE } from './headers.js';
import { emptyHeaderConfig, parseRoutes, type HeaderConfig } from './routes.js';
import type { SyncSettings } from './settings.js';
import { STATE_KEY } from './state.js';
import { syncFrontend, type SyncPorts, type SyncResult } from './sync.js';

const DIST = 'E2OPTIONS';
let dir: TempDir;
let build: string;

const settings = (extra: Partial<SyncSettings> = {}): SyncSettings => syncSettings(DIST, build, dir.path, extra);

/** A clock that only moves when the sync sleeps (waiting for CloudFront costs no real time). */
function fakeTime(): { clock: () => Date; sleep: (ms: number) => Promise<void>; slept: number[] } {
  let now = Date.parse('2026-11-29T12:00:00Z');
  const slept: number[] = [];
  return {
    clock: () => new Date(now),
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
    slept,
  };
}

function ports(store: MemoryStore, quotas = new InvalidationQuotas(), extra: Partial<SyncPorts> = {}): SyncPorts & { cdnCalls: string[] } {
  const cdn = quotaCdn(quotas, DIST);
  const time = fakeTime();
  return { store: async () => store, cdn: async () => cdn, confirm: async () => true, logger: silentLogger, clock: time.clock, sleep: time.sleep, cdnCalls: cdn.calls, ...extra };
}

const put = (file: string, content: string | Buffer) => putFile(build, file, content);

/** A Create React App build. */
const CRA: Record<string, string> = {
  'index.html': '<!doctype html><script src="/static/js/main.1a2b3c4d.js"></script>',
  'service-worker.js': 'self.addEventListener("fetch", () => {})',
  'asset-manifest.json': '{"files":{}}',
  'manifest.json': '{"short_name":"Cruddur"}',
  'robots.txt': 'User-agent: *',
  'static/js/main.1a2b3c4d.js': 'console.log("main")',
  'static/css/main.5e6f7a8b.css': 'body{margin:0}',
  '.well-known/apple-app-site-association': '{"applinks":{}}',
};

const writeSite = (files: Record<string, string> = CRA) => writeTree(build, files);

const actions = (r: SyncResult) => Object.fromEntries(r.changeset.map((e) => [e.path, e.action]));
const allNoChange = (r: SyncResult) => expect(r.changeset.filter((e) => e.action !== 'no_change').map((e) => `${e.path}: ${e.action} (${e.reason})`)).toEqual([]);
const contentWrites = (store: MemoryStore) => store.writes.filter((w) => !w.key.endsWith(STATE_KEY));
const withHeaders = (extra: Partial<HeaderConfig>): HeaderConfig => ({ ...emptyHeaderConfig(), ...extra });

beforeEach(async () => {
  dir = await tempDir('cruddur-sync-options-');
  build = join(dir.path, 'build');
  await writeSite();
});
afterEach(async () => {
  await dir.cleanup();
});

describe('default headers of a single-page app (no options)', () => {
  it('hashed files for a year, every other file no-cache, types with charset; the next run is all no_change with one request', async () => {
    const store = new MemoryStore();
    await syncFrontend(settings(), ports(store));
    const sent = Object.fromEntries(contentWrites(store).map((w) => [w.key, [w.cacheControl, w.contentType]]));
    expect(sent).toEqual({
      'index.html': [NO_CACHE, 'text/html; charset=utf-8'],
      'service-worker.js': [NO_CACHE, 'text/javascript; charset=utf-8'],
      'asset-manifest.json': [NO_CACHE, 'application/json; charset=utf-8'],
      'manifest.json': [NO_CACHE, 'application/json; charset=utf-8'],
      'robots.txt': [NO_CACHE, 'text/plain; charset=utf-8'],
      'static/js/main.1a2b3c4d.js': [IMMUTABLE, 'text/javascript; charset=utf-8'],
      'static/css/main.5e6f7a8b.css': [IMMUTABLE, 'text/css; charset=utf-8'],
      '.well-known/apple-app-site-association': [NO_CACHE, 'application/json; charset=utf-8'],
    });
    store.calls.length = 0;
    allNoChange(await syncFrontend(settings(), ports(store)));
    expect(store.calls).toEqual(['list']);
  });
});

describe('object options (aws s3 sync --acl, --sse, --sse-kms-key-id, --storage-class, --content-type)', () => {
  const options = withHeaders({
    object: { acl: 'public-read', sse: 'aws:kms', sseKmsKeyId: 'alias/site', storageClass: 'STANDARD_IA' },
    contentTypeRules: [{ glob: '*.txt', value: 'text/plain; charset=us-ascii' }],
  });

  it('every PutObject and CreateMultipartUpload carries them; an unchanged second run plans no_change for every object', async () => {
    await put('media/big.bin', Buffer.alloc(9 * 1024 * 1024, 1));
    const store = new MemoryStore();
    await syncFrontend(settings({ headers: options }), ports(store));
    const writes = contentWrites(store);
    expect(writes.find((w) => w.key === 'media/big.bin')).toEqual({
      op: 'multipart',
      key: 'media/big.bin',
      contentType: 'application/octet-stream',
      cacheControl: NO_CACHE,
      metadata: { 'cruddur-md5': expect.stringMatching(/^[0-9a-f]{32}$/) },
      acl: 'public-read',
      serverSideEncryption: 'aws:kms',
      sseKmsKeyId: 'alias/site',
      storageClass: 'STANDARD_IA',
    });
    expect(writes.find((w) => w.key === 'robots.txt')).toMatchObject({ op: 'put', contentType: 'text/plain; charset=us-ascii', acl: 'public-read', serverSideEncryption: 'aws:kms', sseKmsKeyId: 'alias/site', storageClass: 'STANDARD_IA' });
    expect(writes.every((w) => w.acl === 'public-read' && w.storageClass === 'STANDARD_IA')).toBe(true);
    store.writes.length = 0;
    store.calls.length = 0;
    allNoChange(await syncFrontend(settings({ headers: options }), ports(store)));
    expect(store.writes).toEqual([]);
    expect(store.calls.filter((c) => c.startsWith('head'))).toEqual([]);
  });

  it('a changed option alone is a server-side copy of each object (no upload, no HeadObject), then no_change', async () => {
    const store = new MemoryStore();
    const quotas = new InvalidationQuotas();
    await syncFrontend(settings({ headers: options }), ports(store, quotas));
    store.writes.length = 0;
    store.calls.length = 0;
    const changed = withHeaders({ ...options, object: { ...options.object, storageClass: 'INTELLIGENT_TIERING' } });
    const result = await syncFrontend(settings({ headers: changed }), ports(store, quotas));
    expect(result.counts).toMatchObject({ update: Object.keys(CRA).length, create: 0 });
    expect(result.changeset.every((e) => e.reason === 'headers changed (server-side copy, no upload)')).toBe(true);
    expect(contentWrites(store).map((w) => w.op)).toEqual(Array(Object.keys(CRA).length).fill('copy'));
    expect(contentWrites(store).every((w) => w.storageClass === 'INTELLIGENT_TIERING' && w.acl === 'public-read' && w.metadata?.['cruddur-md5'])).toBe(true);
    expect(store.calls.filter((c) => c.startsWith('put ') && !c.endsWith(STATE_KEY) || c.startsWith('head'))).toEqual([]);
    expect(result.copied).toHaveLength(Object.keys(CRA).length);
    store.writes.length = 0;
    allNoChange(await syncFrontend(settings({ headers: changed }), ports(store, quotas)));
    expect(contentWrites(store)).toEqual([]);
  });
});

describe('a header change that did not reach every object (a failed copy or upload, a killed run) converges', () => {
  const SITE3 = { 'a.txt': 'a', 'plus+sign.txt': 'plus', 'index.html': '<p>hi</p>' };
  const txtRule = withHeaders({ cacheRules: [{ glob: '*.txt', value: 'public, max-age=60' }] });
  const cacheOf = (store: MemoryStore) => Object.fromEntries(['a.txt', 'plus+sign.txt', 'index.html'].map((k) => [k, store.objects.get(k)?.cacheControl]));
  const defaults = { 'a.txt': NO_CACHE, 'plus+sign.txt': NO_CACHE, 'index.html': NO_CACHE };

  it('one copy fails: the next run with the old settings copies the objects back, then nothing is left to change', async () => {
    await writeSite(SITE3);
    const store = new MemoryStore();
    const quotas = new InvalidationQuotas();
    await syncFrontend(settings(), ports(store, quotas));
    store.failOn = (call) => (call === 'copy plus+sign.txt' ? new Error('Could not update the headers of s3://site/plus+sign.txt: the object does not exist') : undefined);
    await expect(syncFrontend(settings({ headers: txtRule }), ports(store, quotas))).rejects.toMatchObject({ code: 'SYNC_FAILED' });
    expect(cacheOf(store)).toEqual({ ...defaults, 'a.txt': 'public, max-age=60' });
    store.failOn = undefined;
    store.writes.length = 0;

    // The plain run again (the tester's "Nothing to change" with a.txt still max-age=60).
    const back = await syncFrontend(settings(), ports(store, quotas));
    expect(actions(back)).toEqual({ 'a.txt': 'update', 'plus+sign.txt': 'update', 'index.html': 'no_change' });
    expect(back.changeset.find((e) => e.path === 'a.txt')?.reason).toMatch(/earlier run stopped part-way/);
    expect(contentWrites(store).map((w) => [w.op, w.key, w.cacheControl])).toEqual([
      ['copy', 'a.txt', NO_CACHE],
      ['copy', 'plus+sign.txt', NO_CACHE],
    ]);
    expect(cacheOf(store)).toEqual(defaults);
    // Settled: the default settings keep no state object, and the next run is one listing.
    expect(store.objects.has(STATE_KEY)).toBe(false);
    store.calls.length = 0;
    allNoChange(await syncFrontend(settings(), ports(store, quotas)));
    expect(store.calls).toEqual(['list']);
  });

  it('one copy fails: re-running the new settings converges too, and records them once every object has them', async () => {
    await writeSite(SITE3);
    const store = new MemoryStore();
    await syncFrontend(settings(), ports(store));
    store.failOn = (call) => (call === 'copy plus+sign.txt' ? new Error('boom') : undefined);
    await expect(syncFrontend(settings({ headers: txtRule }), ports(store))).rejects.toMatchObject({ code: 'SYNC_FAILED' });
    store.failOn = undefined;
    await syncFrontend(settings({ headers: txtRule }), ports(store));
    expect(cacheOf(store)).toEqual({ 'a.txt': 'public, max-age=60', 'plus+sign.txt': 'public, max-age=60', 'index.html': NO_CACHE });
    const state = JSON.parse(store.text(STATE_KEY) ?? '{}') as { objectSettings?: unknown; unsettledSettings?: unknown };
    expect(state.objectSettings).toEqual(txtRule);
    expect(state.unsettledSettings).toBeUndefined();
    store.writes.length = 0;
    allNoChange(await syncFrontend(settings({ headers: txtRule }), ports(store)));
    expect(contentWrites(store)).toEqual([]);
  });

  it('a failed upload under new settings: the uploads that went through carry them, and the next run copies them back', async () => {
    await writeSite(SITE3);
    const store = new MemoryStore();
    await syncFrontend(settings(), ports(store));
    await writeSite({ 'a.txt': 'a2', 'plus+sign.txt': 'plus2', 'index.html': '<p>hi</p>' });
    store.failOn = (call) => (call === 'put plus+sign.txt' ? new Error('boom') : undefined);
    await expect(syncFrontend(settings({ headers: txtRule }), ports(store))).rejects.toMatchObject({ code: 'SYNC_FAILED' });
    expect(store.objects.get('a.txt')?.cacheControl).toBe('public, max-age=60');
    store.failOn = undefined;
    await syncFrontend(settings(), ports(store));
    expect(cacheOf(store)).toEqual(defaults);
    expect(store.text('plus+sign.txt')).toBe('plus2');
  });

  it('a run killed after its first copy: the next run, from another runner, converges', async () => {
    await writeSite(SITE3);
    const store = new MemoryStore();
    await syncFrontend(settings(), ports(store));
    // The state (lock, owed, the new settings as unsettled) and one copy land; the run then hangs like a SIGKILLed one.
    store.killAfter(2);
    void syncFrontend(settings({ headers: txtRule }), ports(store));
    await new Promise<void>((resolve) => {
      const check = () => (store.dead ? resolve() : setImmediate(check));
      check();
    });
    expect(store.objects.get('a.txt')?.cacheControl).toBe('public, max-age=60');
    const fresh = new MemoryStore();
    for (const [k, v] of store.objects) fresh.objects.set(k, v);
    const later = () => new Date(Date.now() + 61_000);
    await syncFrontend(settings(), ports(fresh, undefined, { host: 'another-runner', clock: later }));
    expect(cacheOf(fresh)).toEqual(defaults);
    expect(fresh.objects.has(STATE_KEY)).toBe(false);
  });
});

describe('routes (cruddur.json frontend.routes)', () => {
  const routes = parseRoutes([
    { match: '^static/js/.*\\.js$', headers: { 'Content-Language': 'en' }, gzip: true },
    { match: '*.css', headers: { 'Cache-Control': 'public, max-age=600' }, brotli: true },
    { match: 'downloads/**', headers: { 'Content-Disposition': 'attachment', 'Content-Type': 'application/pdf', 'x-amz-meta-owner': 'web' } },
    { match: '*.json', headers: { 'Cache-Control': 'public, max-age=60' } },
    { match: '*', headers: { 'x-amz-meta-never': 'shadowed for json' } },
  ]);

  it('first match wins; compressed routes upload the compressed bytes with Content-Encoding; the next run is no_change', async () => {
    await put('downloads/guide.pdf', '%PDF-1.4');
    const store = new MemoryStore();
    const config = withHeaders({ routes });
    await syncFrontend(settings({ headers: config }), ports(store));
    const w = Object.fromEntries(contentWrites(store).map((x) => [x.key, x]));
    expect(w['static/js/main.1a2b3c4d.js']).toMatchObject({ contentEncoding: 'gzip', contentLanguage: 'en', cacheControl: IMMUTABLE, contentType: 'text/javascript; charset=utf-8' });
    expect(w['static/css/main.5e6f7a8b.css']).toMatchObject({ contentEncoding: 'br', cacheControl: 'public, max-age=600' });
    expect(w['downloads/guide.pdf']).toEqual({
      op: 'put',
      key: 'downloads/guide.pdf',
      contentType: 'application/pdf',
      cacheControl: NO_CACHE,
      contentDisposition: 'attachment',
      metadata: { owner: 'web', 'cruddur-md5': expect.any(String) },
    });
    expect(w['manifest.json']).toMatchObject({ cacheControl: 'public, max-age=60', metadata: { 'cruddur-md5': expect.any(String) } });
    expect(w['robots.txt']?.metadata).toMatchObject({ never: 'shadowed for json' });
    expect(gunzipSync(store.objects.get('static/js/main.1a2b3c4d.js')?.body ?? Buffer.alloc(0)).toString()).toBe(CRA['static/js/main.1a2b3c4d.js']);
    expect(brotliDecompressSync(store.objects.get('static/css/main.5e6f7a8b.css')?.body ?? Buffer.alloc(0)).toString()).toBe(CRA['static/css/main.5e6f7a8b.css']);
    store.writes.length = 0;
    store.calls.length = 0;
    allNoChange(await syncFrontend(settings({ headers: config }), ports(store)));
    expect(store.writes).toEqual([]);
    expect(store.calls.filter((c) => c.startsWith('head'))).toEqual([]);
  });

  it("a route's headers changed alone: CopyObject with the new headers for its objects only, invalidated, then no_change", async () => {
    const store = new MemoryStore();
    const quotas = new InvalidationQuotas();
    await syncFrontend(settings({ headers: withHeaders({ routes }) }), ports(store, quotas));
    store.writes.length = 0;
    store.calls.length = 0;
    const edited = parseRoutes([
      { match: '^static/js/.*\\.js$', headers: { 'Content-Language': 'en' }, gzip: true },
      { match: '*.css', headers: { 'Cache-Control': 'public, max-age=600' }, brotli: true },
      { match: 'downloads/**', headers: { 'Content-Disposition': 'attachment', 'Content-Type': 'application/pdf', 'x-amz-meta-owner': 'web' } },
      { match: '*.json', headers: { 'Cache-Control': 'public, max-age=300', 'Content-Language': 'de' } },
      { match: '*', headers: { 'x-amz-meta-never': 'shadowed for json' } },
    ]);
    const result = await syncFrontend(settings({ headers: withHeaders({ routes: edited }) }), ports(store, quotas));
    expect(actions(result)).toMatchObject({ 'manifest.json': 'update', 'asset-manifest.json': 'update', 'index.html': 'no_change', 'static/js/main.1a2b3c4d.js': 'no_change' });
    expect(contentWrites(store)).toEqual([
      { op: 'copy', key: 'asset-manifest.json', contentType: 'application/json; charset=utf-8', cacheControl: 'public, max-age=300', contentLanguage: 'de', metadata: { 'cruddur-md5': expect.any(String) } },
      { op: 'copy', key: 'manifest.json', contentType: 'application/json; charset=utf-8', cacheControl: 'public, max-age=300', contentLanguage: 'de', metadata: { 'cruddur-md5': expect.any(String) } },
    ]);
    expect(store.calls.filter((c) => c.startsWith('head'))).toEqual([]);
    expect(quotas.invalidations.at(-1)?.paths).toEqual(['/asset-manifest.json', '/manifest.json']);
    store.writes.length = 0;
    allNoChange(await syncFrontend(settings({ headers: withHeaders({ routes: edited }) }), ports(store, quotas)));
    expect(contentWrites(store)).toEqual([]);
  });

  it('turning compression on for a route re-uploads those files (their bytes change), nothing else', async () => {
    const store = new MemoryStore();
    await syncFrontend(settings(), ports(store));
    store.writes.length = 0;
    const gz = parseRoutes([{ match: '*.css', headers: {}, gzip: true }]);
    const result = await syncFrontend(settings({ headers: withHeaders({ routes: gz }) }), ports(store));
    expect(actions(result)['static/css/main.5e6f7a8b.css']).toBe('update');
    expect(contentWrites(store).map((w) => [w.op, w.key, w.contentEncoding])).toEqual([['put', 'static/css/main.5e6f7a8b.css', 'gzip']]);
  });
});

describe('--prefix', () => {
  it('keys, listing, deletes, the sync state and invalidation paths stay under the prefix', async () => {
    const store = new MemoryStore();
    store.putForeign('other/app.js', 'another site');
    store.putForeign('app/v2/stale.js', 'old');
    const quotas = new InvalidationQuotas();
    const result = await syncFrontend(settings({ prefix: 'app/v2/' }), ports(store, quotas));
    expect(actions(result)['stale.js']).toBe('delete');
    expect([...store.objects.keys()].sort()).toEqual(['other/app.js', ...Object.keys(CRA).map((k) => `app/v2/${k}`)].sort());
    expect(store.calls[0]).toBe('list app/v2/');
    expect(quotas.invalidations[0]?.paths.every((p) => p.startsWith('/app/v2/'))).toBe(true);
    allNoChange(await syncFrontend(settings({ prefix: 'app/v2/' }), ports(store, quotas)));
  });
});

describe('--exclude / --include (aws s3 sync order rules)', () => {
  it('--exclude "*" --include "*.html" uploads only HTML and deletes nothing excluded', async () => {
    const store = new MemoryStore();
    store.putForeign('uploads/avatar.png', 'kept');
    const filters = [{ type: 'exclude' as const, pattern: '*' }, { type: 'include' as const, pattern: '*.html' }];
    const result = await syncFrontend(settings({ filters }), ports(store));
    expect(contentWrites(store).map((w) => w.key)).toEqual(['index.html']);
    expect(actions(result)['uploads/avatar.png']).toBe('ignore');
    expect(store.objects.has('uploads/avatar.png')).toBe(true);
    allNoChange({ ...result, changeset: (await syncFrontend(settings({ filters }), ports(store))).changeset.filter((e) => e.action !== 'ignore') });
  });
});

describe('multipart ETags of another tool (part size from HeadObject PartNumber=1)', () => {
  // s3cmd's 15 MiB parts: none of the sizes the plan tries first (8, 5, 16 MiB, or the smallest whole MiB, 10 MiB
  // here) reproduces the ETag, so only PartNumber=1 tells. (This case used 64 MiB parts of a 100 MiB file: the same
  // path for five times the hashing.)
  it('a 20 MiB file with 15 MiB parts (ETag -2) is no_change, and the next run needs no HeadObject', async () => {
    const body = randomBytes(20 * 1024 * 1024);
    await put('media/video.mp4', body);
    const store = new MemoryStore();
    await syncFrontend(settings(), ports(store));
    store.putForeignMultipart('media/video.mp4', body, 15 * 1024 * 1024);
    expect(store.objects.get('media/video.mp4')?.etag).toMatch(/-2$/);
    store.calls.length = 0;
    const first = await syncFrontend(settings(), ports(store));
    allNoChange(first);
    expect(store.calls.filter((c) => c.startsWith('head'))).toEqual(['head media/video.mp4', 'head-part1 media/video.mp4']);
    store.calls.length = 0;
    allNoChange(await syncFrontend(settings(), ports(store)));
    expect(store.calls).toEqual(['list', `get ${STATE_KEY}`]);
  }, 120_000);

  it('an S3 that ignores PartNumber (s3rver) gives the whole length: uploaded once with its MD5 stored, then no_change', async () => {
    const body = randomBytes(20 * 1024 * 1024);
    await put('media/video.mp4', body);
    const store = new MemoryStore();
    store.partNumberHead = false;
    await syncFrontend(settings(), ports(store));
    store.putForeignMultipart('media/video.mp4', body, 12 * 1024 * 1024);
    const first = await syncFrontend(settings(), ports(store));
    expect(first.changeset.find((e) => e.path === 'media/video.mp4')).toMatchObject({ action: 'update', reason: expect.stringMatching(/no stored MD5/) });
    allNoChange(await syncFrontend(settings(), ports(store)));
  });
});

describe("invalidation within CloudFront's quotas", () => {
  /** Thousands of files on a loaded 2-core machine: these take seconds, given room (never a sleep). */
  const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`static/js/chunk${i}.js`, `c${i}`]));

  it('file paths that would pass 3,000 in progress go as wildcards when that is cheaper and the wildcard quota allows', async () => {
    await writeSite({ 'index.html': 'x', ...many(2000) });
    const quotas = new InvalidationQuotas(5);
    quotas.startOther(Array.from({ length: 1500 }, (_, i) => `/other/${i}.js`));
    const store = new MemoryStore();
    const result = await syncFrontend(settings(), ports(store, quotas));
    expect(quotas.attempts.map((a) => [a.outcome, a.paths.length])).toEqual([
      ['TooManyInvalidationsInProgress', 2002],
      ['created', 3],
    ]);
    expect(result.invalidation).toMatchObject({ status: 'created', paths: ['/', '/index.html', '/static/js/*'] });
    expect(store.objects.has(STATE_KEY)).toBe(false);
  }, 120_000);

  it('when no wildcard fits either, waits for the in-progress invalidations (progress shown) and retries', async () => {
    await writeSite({ 'index.html': 'x', ...many(20) });
    const quotas = new InvalidationQuotas(3);
    quotas.startOther(Array.from({ length: 15 }, (_, i) => `/w${i}/*`));
    quotas.startOther(Array.from({ length: 2990 }, (_, i) => `/f/${i}`));
    const lines: string[] = [];
    const logger: Logger = { ...silentLogger, info: (m: string) => lines.push(m) };
    const p = ports(new MemoryStore(), quotas, { logger });
    const result = await syncFrontend(settings(), p);
    expect(result.invalidation.status).toBe('created');
    expect(quotas.attempts.map((a) => a.outcome)).toEqual(['TooManyInvalidationsInProgress', 'TooManyInvalidationsInProgress', 'TooManyInvalidationsInProgress', 'created']);
    expect(lines.filter((l) => l.startsWith('Waiting for CloudFront'))[0]).toMatch(/2 invalidations in progress \(2990 file paths of 3000, 15 wildcards of 15\); 22 paths to send; 600 s left/);
    expect(p.cdnCalls).toContain('list');
  });

  it('past --invalidation-timeout: exit 1, the paths kept owed in the bucket, and a later run from a fresh checkout invalidates them', async () => {
    await writeSite({ 'index.html': 'x', ...many(20) });
    const quotas = new InvalidationQuotas(1000);
    quotas.startOther(Array.from({ length: 15 }, (_, i) => `/w${i}/*`));
    quotas.startOther(Array.from({ length: 2999 }, (_, i) => `/f/${i}`));
    const store = new MemoryStore();
    const error = await syncFrontend(settings({ invalidationTimeoutMs: 60_000 }), ports(store, quotas)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SYNC_FAILED', exitCode: 1, message: expect.stringMatching(/did not free up within --invalidation-timeout \(60 s\)/) });
    const state = JSON.parse(store.text(STATE_KEY) ?? '{}') as { owed: string[] };
    expect(state.owed).toHaveLength(21);
    for (const inv of quotas.invalidations) quotas.complete(inv.id);
    const again = await syncFrontend(settings(), ports(store, quotas));
    expect(again.invalidation.status).toBe('created');
    expect(new Set(quotas.invalidations.at(-1)?.paths)).toEqual(new Set(['/', '/index.html', ...Object.keys(many(20)).map((k) => `/${k}`)]));
    expect(store.objects.has(STATE_KEY)).toBe(false);
  });

  it('never sends more than 3,000 paths in one request', async () => {
    await writeSite({ 'index.html': 'x', ...many(3100) });
    const quotas = new InvalidationQuotas();
    await syncFrontend(settings({ maxDelete: 5000 }), ports(new MemoryStore(), quotas));
    expect(quotas.attempts.every((a) => a.paths.length <= 3000)).toBe(true);
    expect(quotas.attempts.map((a) => a.outcome)).toEqual(['created']);
  }, 120_000);
});
