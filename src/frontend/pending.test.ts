import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, type TempDir } from '../../test/support/tmp.js';
import { carriedKeys, clearPending, pendingPath, readPending, unionKeys } from './pending.js';

const record = { version: 1, bucket: 'site', distributionId: 'E1', keys: ['a.js', 'index.html'], since: '2026-11-23T09:00:00.000Z' };

describe('carriedKeys', () => {
  it.each<[string, unknown, string[]]>([
    ['a record for this bucket and distribution', record, ['a.js', 'index.html']],
    ['another bucket', { ...record, bucket: 'other' }, []],
    ['another distribution', { ...record, distributionId: 'E2' }, []],
    ['an unknown version', { ...record, version: 2 }, []],
    ['keys that are not a list', { ...record, keys: 'a.js' }, []],
    ['non-string keys dropped', { ...record, keys: ['a.js', 3, null] }, ['a.js']],
    ['nothing', undefined, []],
  ])('%s', (_name, input, expected) => {
    expect(carriedKeys(input, 'site', 'E1')).toEqual(expected);
  });
});

describe('unionKeys', () => {
  it.each<[string[][], string[]]>([
    [[[], []], []],
    [[['b', 'a'], ['a', 'c']], ['a', 'b', 'c']],
    [[['x'], [], ['x']], ['x']],
  ])('%j -> %j', (lists, expected) => {
    expect(unionKeys(...lists)).toEqual(expected);
  });
});

describe('the pending file', () => {
  let dir: TempDir;
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(async () => {
    await dir.cleanup();
  });

  it('lives under .cruddur/, one per bucket', () => {
    expect(pendingPath('/p', 'www.example.com')).toBe('/p/.cruddur/sync-pending-www.example.com.json');
  });

  it('reads what an earlier cruddur wrote, and is gone after clearing', async () => {
    const path = pendingPath(dir.path, 'site');
    expect(await readPending(path, 'site', 'E1')).toEqual([]);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, JSON.stringify({ ...record, version: 1 }));
    expect(await readPending(path, 'site', 'E1')).toEqual(['a.js', 'index.html']);
    expect(await readdir(dirname(path))).toEqual(['sync-pending-site.json']);
    await clearPending(path);
    expect(existsSync(path)).toBe(false);
    await clearPending(path);
  });

  it('treats a damaged file as nothing owed', async () => {
    const path = join(dir.path, 'broken.json');
    await writeFile(path, '{"version":1,');
    expect(await readPending(path, 'site', 'E1')).toEqual([]);
  });
});
