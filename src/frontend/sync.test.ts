import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cloudFrontRejects } from '../../test/frontend/cloudfront-fake.js';
import { MemoryStore } from '../../test/frontend/memory-store.js';
import { putFile, syncSettings, writeTree } from '../../test/frontend/sync-harness.js';
import { tempDir, type TempDir } from '../../test/support/tmp.js';
import { silentLogger } from '../core/output.js';
import type { Cdn } from './cdn.js';
import { keyPath } from '../aws/cloudfront.js';
import type { SyncSettings } from './settings.js';
import { STATE_KEY } from './state.js';
import { syncFrontend, type SyncPorts, type SyncResult } from './sync.js';

const DIST = 'E2INPROCESS';
let dir: TempDir;
let build: string;

/** A CloudFront that records each batch and, like the real one, refuses paths that break its rules. */
function fakeCdn(options: { refuse?: (paths: string[]) => boolean } = {}): Cdn & { batches: string[][] } {
  const batches: string[][] = [];
  return {
    batches,
    getDistribution: async (id) => (id === DIST ? { id, status: 'Deployed', domainName: 'd111111abcdef8.cloudfront.net' } : undefined),
    createInvalidation: async (_id, paths) => {
      if (paths.some((p) => cloudFrontRejects(p) !== undefined) || options.refuse?.(paths)) {
        throw Object.assign(new Error('InvalidArgument: Your request contains one or more invalid invalidation paths.'), { name: 'InvalidArgument' });
      }
      batches.push(paths);
      return { id: `I${batches.length}`, status: 'InProgress' };
    },
    waitForInvalidation: async () => undefined,
    listInvalidations: async () => [],
    getInvalidation: async (_id, invalidationId) => ({ id: invalidationId, status: 'Completed', paths: [] }),
  };
}

const settings = (extra: Partial<SyncSettings> = {}): SyncSettings => syncSettings(DIST, build, dir.path, extra);

const ports = (store: MemoryStore, cdn: Cdn, extra: Partial<SyncPorts> = {}): SyncPorts => ({
  store: async () => store,
  cdn: async () => cdn,
  confirm: async () => true,
  logger: silentLogger,
  ...extra,
});

const put = (file: string, content: string | Buffer) => putFile(build, file, content);

const SITE: Record<string, string> = {
  'index.html': '<script src="/static/js/main.1a2b3c4d.js"></script>',
  'about/index.html': '<p>about</p>',
  'static/js/main.1a2b3c4d.js': 'console.log(1)',
  'static/js/runtime~main.5f3a1b2c.js': 'runtime',
  'static/media/my logo*.svg': '<svg/>',
  'robots.txt': 'User-agent: *',
};

const writeSite = (files: Record<string, string> = SITE) => writeTree(build, files);

/** The bucket's content keys (the sync state is not content). */
const contentKeys = (store: MemoryStore) => [...store.objects.keys()].filter((k) => k !== STATE_KEY).sort();
const md5 = (text: string) => createHash('md5').update(text).digest('hex');
const actions = (r: SyncResult) => Object.fromEntries(r.changeset.map((e) => [e.path, e.action]));

beforeEach(async () => {
  dir = await tempDir('cruddur-sync-inproc-');
  build = join(dir.path, 'build');
  await writeSite();
});
afterEach(async () => {
  await dir.cleanup();
});

describe('syncFrontend in process (memory store)', () => {
  it('creates everything, assets before HTML, stores each MD5, invalidates once with encoded paths, leaves no state behind', async () => {
    const store = new MemoryStore();
    const cdn = fakeCdn();
    const result = await syncFrontend(settings(), ports(store, cdn));
    expect(result.counts).toMatchObject({ create: 6, update: 0, delete: 0 });
    const puts = store.calls.filter((c) => c.startsWith('put ') && !c.endsWith(STATE_KEY)).map((c) => c.slice(4));
    const firstHtml = puts.findIndex((k) => k.endsWith('.html'));
    expect(puts.slice(firstHtml).every((k) => k.endsWith('.html'))).toBe(true);
    expect(contentKeys(store)).toEqual(Object.keys(SITE).sort());
    for (const [key, body] of Object.entries(SITE)) expect(store.objects.get(key)?.metadata['cruddur-md5']).toBe(md5(body));
    expect(cdn.batches).toHaveLength(1);
    expect(cdn.batches[0]).toEqual(expect.arrayContaining(['/', '/about/', '/static/js/runtime%7Emain.5f3a1b2c.js', '/static/media/my%20logo%2A.svg']));
    // Plain bucket, nothing owed: the state object is gone, so the next listing costs no extra request.
    expect(store.objects.has(STATE_KEY)).toBe(false);
  });

  it('an unchanged second run only lists the bucket: no HeadObject, no GET, no write, no invalidation', async () => {
    const store = new MemoryStore();
    const cdn = fakeCdn();
    await syncFrontend(settings(), ports(store, cdn));
    store.calls.length = 0;
    const result = await syncFrontend(settings(), ports(store, cdn));
    expect(result.counts).toMatchObject({ no_change: 6 });
    expect(store.calls).toEqual(['list']);
    expect(cdn.batches).toHaveLength(1);
  });

  it('plans create/update/delete/no_change/ignore and applies assets, then HTML, then deletes', async () => {
    const store = new MemoryStore();
    await syncFrontend(settings(), ports(store, fakeCdn()));
    store.putForeign('uploads/user.png', 'kept by the ignore list');
    await writeSite({
      ...Object.fromEntries(Object.entries(SITE).filter(([k]) => k !== 'robots.txt')),
      'index.html': '<script src="/static/js/main.9e8d7c6b.js"></script>',
      'static/js/main.9e8d7c6b.js': 'console.log(2)',
      '.DS_Store': 'finder',
    });
    store.calls.length = 0;
    const cdn = fakeCdn();
    const result = await syncFrontend(settings({ ignore: ['.DS_Store', 'uploads/**'] }), ports(store, cdn));
    expect(actions(result)).toMatchObject({
      'index.html': 'update',
      'static/js/main.9e8d7c6b.js': 'create',
      'robots.txt': 'delete',
      'about/index.html': 'no_change',
      '.DS_Store': 'ignore',
      'uploads/user.png': 'ignore',
    });
    const writes = store.calls.filter((c) => (c.startsWith('put ') || c.startsWith('delete ')) && !c.endsWith(STATE_KEY));
    expect(writes).toEqual(['put static/js/main.9e8d7c6b.js', 'put index.html', 'delete robots.txt']);
    expect(contentKeys(store)).toEqual(['about/index.html', 'index.html', 'static/js/main.1a2b3c4d.js', 'static/js/main.9e8d7c6b.js', 'static/js/runtime~main.5f3a1b2c.js', 'static/media/my logo*.svg', 'uploads/user.png']);
    expect(cdn.batches).toEqual([['/', '/index.html', '/robots.txt', '/static/js/main.9e8d7c6b.js']]);
  });

  it('--max-delete refuses the plan before any write', async () => {
    const store = new MemoryStore();
    await syncFrontend(settings(), ports(store, fakeCdn()));
    await writeSite({ 'index.html': 'only' });
    store.calls.length = 0;
    await expect(syncFrontend(settings({ maxDelete: 2 }), ports(store, fakeCdn()))).rejects.toMatchObject({ code: 'SYNC_TOO_MANY_DELETES' });
    expect(store.calls).toEqual(['list']);
    const result = await syncFrontend(settings({ maxDelete: 5 }), ports(store, fakeCdn()));
    expect(result.counts).toMatchObject({ delete: 5, update: 1 });
  });

  describe('a run killed mid-apply, re-run from a fresh checkout', () => {
    async function killedRun(store: MemoryStore, writes: number): Promise<string[]> {
      const { 'robots.txt': _gone, ...kept } = SITE;
      await writeSite({
        ...kept,
        'index.html': 'v2',
        'static/js/main.1a2b3c4d.js': 'changed same size?',
        'static/js/new.js': 'new',
      });
      store.killAfter(writes);
      // The run hangs at its (writes+1)th write, like a SIGKILLed process; it is abandoned, never awaited.
      void syncFrontend(settings({ ignore: [] }), ports(store, fakeCdn()));
      await new Promise<void>((resolve) => {
        const check = () => (store.calls.length > 0 && store.dead ? resolve() : setImmediate(check));
        check();
      });
      return ['index.html', 'static/js/main.1a2b3c4d.js', 'static/js/new.js', 'robots.txt'];
    }

    it.each([
      ['before the first upload (only the state written)', 1],
      ['mid-uploads', 3],
      ['mid-deletes (uploads done)', 4],
    ])('%s: the bucket converges and every changed key is invalidated', async (_name, writes) => {
      const store = new MemoryStore();
      await syncFrontend(settings(), ports(store, fakeCdn()));
      const changed = await killedRun(store, writes);
      // The killed run left its lock and what it owed in the bucket.
      const state = JSON.parse(store.text(STATE_KEY) ?? '{}') as { owed: string[]; lock?: unknown };
      expect(state.owed).toEqual(expect.arrayContaining(changed));
      expect(state.lock).toBeDefined();

      // A second runner while the first one's lock is fresh refuses and changes nothing.
      const fresh = new MemoryStore();
      for (const [k, v] of store.objects) fresh.objects.set(k, v);
      const before = JSON.stringify([...fresh.objects.keys()]);
      await expect(syncFrontend(settings(), ports(fresh, fakeCdn(), { host: 'another-runner' }))).rejects.toMatchObject({ code: 'SYNC_LOCKED' });
      expect(JSON.stringify([...fresh.objects.keys()])).toBe(before);

      // The same runner later (the lock's heartbeat stopped a minute ago): it takes over.
      const cdn = fakeCdn();
      const later = () => new Date(Date.now() + 61_000);
      const result = await syncFrontend(settings(), ports(fresh, cdn, { host: 'another-runner', clock: later }));
      expect(contentKeys(fresh)).toEqual([...Object.keys(SITE).filter((k) => k !== 'robots.txt'), 'static/js/new.js'].sort());
      for (const key of contentKeys(fresh)) expect(fresh.objects.get(key)?.body.toString()).toBe(key === 'index.html' ? 'v2' : key === 'static/js/new.js' ? 'new' : key === 'static/js/main.1a2b3c4d.js' ? 'changed same size?' : SITE[key]);
      const invalidated = new Set(cdn.batches.flat());
      for (const key of changed) expect(invalidated.has(keyPath(key)) || invalidated.has('/*'), key).toBe(true);
      expect(fresh.objects.has(STATE_KEY)).toBe(false);
      expect(result.resumed).toEqual(expect.arrayContaining(changed));
    });

    it('on the same host, a dead pid frees the lock at once', async () => {
      const store = new MemoryStore();
      await syncFrontend(settings(), ports(store, fakeCdn()));
      await killedRun(store, 2);
      const fresh = new MemoryStore();
      for (const [k, v] of store.objects) fresh.objects.set(k, v);
      const cdn = fakeCdn();
      await syncFrontend(settings(), ports(fresh, cdn, { isAlive: () => false }));
      expect(cdn.batches.flat()).toEqual(expect.arrayContaining(['/index.html', '/static/js/new.js']));
    });
  });

  it('--dry-run never calls CloudFront (no GetDistribution), and changes nothing', async () => {
    const store = new MemoryStore();
    let asked = 0;
    const cdn = () => {
      asked += 1;
      return Promise.reject(new Error('CloudFront must not be called in a dry run'));
    };
    const result = await syncFrontend(settings({ dryRun: true }), { ...ports(store, fakeCdn()), cdn });
    expect(asked).toBe(0);
    expect(result.counts.create).toBe(Object.keys(SITE).length);
    expect(store.objects.size).toBe(0);
  });

  it('an owed invalidation CloudFront refuses falls back to /* once, and the next deploy is not blocked', async () => {
    const store = new MemoryStore();
    store.objects.set(STATE_KEY, { body: Buffer.from(JSON.stringify({ version: 2, distributionId: DIST, owed: ['static/js/runtime~main.5f3a1b2c.js'], hashes: {} })), etag: 'x', metadata: {} });
    // This CloudFront refuses anything but /* (say, a path rule we do not know of).
    const cdn = fakeCdn({ refuse: (paths) => !(paths.length === 1 && paths[0] === '/*') });
    const first = await syncFrontend(settings(), ports(store, cdn));
    expect(first.invalidation).toMatchObject({ status: 'created', paths: ['/*'] });
    expect(store.objects.has(STATE_KEY)).toBe(false);
    const second = await syncFrontend(settings(), ports(store, fakeCdn()));
    expect(second.invalidation.status).toBe('not-needed');
  });

  describe('a KMS-style store (ETags are not MD5s)', () => {
    it('uploads once, then plans no_change from the stored hashes with one GET and no HeadObject', async () => {
      const store = new MemoryStore({ kms: true });
      await syncFrontend(settings(), ports(store, fakeCdn()));
      expect(store.objects.has(STATE_KEY)).toBe(true);
      store.calls.length = 0;
      const cdn = fakeCdn();
      const result = await syncFrontend(settings(), ports(store, cdn));
      expect(result.counts).toMatchObject({ no_change: 6, update: 0 });
      expect(store.calls).toEqual(['list', `get ${STATE_KEY}`]);
      expect(cdn.batches).toEqual([]);
    });

    it('without the state object, reads each stored MD5 once (HeadObject) and keeps them', async () => {
      const store = new MemoryStore({ kms: true });
      await syncFrontend(settings(), ports(store, fakeCdn()));
      store.objects.delete(STATE_KEY);
      store.calls.length = 0;
      const result = await syncFrontend(settings(), ports(store, fakeCdn()));
      expect(result.counts).toMatchObject({ no_change: 6 });
      expect(store.calls.filter((c) => c.startsWith('head '))).toHaveLength(6);
      store.calls.length = 0;
      await syncFrontend(settings(), ports(store, fakeCdn()));
      expect(store.calls.filter((c) => c.startsWith('head '))).toHaveLength(0);
    });

    it('a foreign object without a stored MD5 is uploaded once, then compared like any other', async () => {
      const store = new MemoryStore({ kms: true });
      for (const [key, body] of Object.entries(SITE)) store.putForeign(key, body);
      const first = await syncFrontend(settings(), ports(store, fakeCdn()));
      expect(first.counts).toMatchObject({ update: 6 });
      expect(first.changeset.every((e) => /no stored MD5/.test(e.reason))).toBe(true);
      const second = await syncFrontend(settings(), ports(store, fakeCdn()));
      expect(second.counts).toMatchObject({ no_change: 6 });
    });

    it('a same-size edit is still an update', async () => {
      const store = new MemoryStore({ kms: true });
      await syncFrontend(settings(), ports(store, fakeCdn()));
      await put('robots.txt', 'User-agent: ?');
      const result = await syncFrontend(settings(), ports(store, fakeCdn()));
      expect(actions(result)['robots.txt']).toBe('update');
      expect(result.changeset.find((e) => e.path === 'robots.txt')?.reason).toMatch(/stored MD5/);
    });
  });
});
