import { describe, expect, it } from 'vitest';
import type { RemoteObject } from '../aws/s3-store.js';
import { countActions, keysNeedingStoredMd5, multipartParts, partSizeCandidates, planSync as planWith, type HashedFile, type LocalFile, type PlanOptions } from './plan.js';

const MD5_A = 'a'.repeat(32);
const MD5_B = 'b'.repeat(32);
const MIB = 1024 * 1024;

type TestFile = LocalFile & { md5?: string; multipartEtags?: readonly string[] };
const local = (file: string, size: number, md5: string | undefined, extra: Partial<HashedFile> = {}): TestFile => ({
  file,
  key: file,
  absPath: `/build/${file}`,
  size,
  ...(md5 !== undefined ? { md5 } : {}),
  ...extra,
});
/** Files without an md5 are the ignored ones (never hashed). */
const planSync = (files: TestFile[], remote: Map<string, RemoteObject>, options: PlanOptions, stored?: Map<string, string | null>) =>
  planWith({ files: files.filter((f) => f.md5 !== undefined) as HashedFile[], ignored: files.filter((f) => f.md5 === undefined), remote, ...(stored ? { stored } : {}) }, options);
const remote = (...objects: RemoteObject[]) => new Map(objects.map((o) => [o.key, o]));
const options = (extra: Partial<PlanOptions> = {}): PlanOptions => ({ ignore: () => false, delete: true, force: false, ...extra });

describe('planSync', () => {
  it.each<[string, TestFile[], RemoteObject[], Partial<PlanOptions>, Array<[string, string, RegExp]>]>([
    ['new file', [local('a.js', 3, MD5_A)], [], {}, [['a.js', 'create', /not in the bucket/]]],
    ['same size and md5', [local('a.js', 3, MD5_A)], [{ key: 'a.js', size: 3, etag: MD5_A }], {}, [['a.js', 'no_change', /same size and MD5/]]],
    ['etag case ignored', [local('a.js', 3, MD5_A)], [{ key: 'a.js', size: 3, etag: MD5_A.toUpperCase() }], {}, [['a.js', 'no_change', /MD5/]]],
    ['size differs', [local('a.js', 4, MD5_A)], [{ key: 'a.js', size: 3, etag: MD5_A }], {}, [['a.js', 'update', /size differs \(local 4 B, bucket 3 B\)/]]],
    ['same size, other bytes', [local('a.js', 3, MD5_A)], [{ key: 'a.js', size: 3, etag: MD5_B }], {}, [['a.js', 'update', /content differs \(MD5\)/]]],
    ['forced', [local('a.js', 3, MD5_A)], [{ key: 'a.js', size: 3, etag: MD5_A }], { force: true }, [['a.js', 'update', /forced/]]],
    [
      'multipart etag matches',
      [local('big.bin', 20 * MIB, MD5_A, { multipartEtags: [`${MD5_B}-3`] })],
      [{ key: 'big.bin', size: 20 * MIB, etag: `${MD5_B}-3` }],
      {},
      [['big.bin', 'no_change', /multipart ETag \(3 parts\)/]],
    ],
    [
      'multipart etag differs',
      [local('big.bin', 20 * MIB, MD5_A, { multipartEtags: [`${MD5_A}-3`] })],
      [{ key: 'big.bin', size: 20 * MIB, etag: `${MD5_B}-3` }],
      {},
      [['big.bin', 'update', /content differs \(multipart ETag/]],
    ],
    [
      'multipart etag, no candidate part size',
      [local('big.bin', 20 * MIB, MD5_A)],
      [{ key: 'big.bin', size: 20 * MIB, etag: `${MD5_B}-7` }],
      {},
      [['big.bin', 'update', /content differs \(multipart ETag, 7 parts\)/]],
    ],
    ['kms etag', [local('a.js', 3, MD5_A)], [{ key: 'a.js', size: 3, etag: 'xyz' }], {}, [['a.js', 'update', /not an MD5/]]],
    ['only in bucket', [], [{ key: 'old.js', size: 3, etag: MD5_A }], {}, [['old.js', 'delete', /not in the build/]]],
    ['only in bucket, --no-delete', [], [{ key: 'old.js', size: 3, etag: MD5_A }], { delete: false }, [['old.js', 'ignore', /--no-delete/]]],
    [
      'ignored both sides',
      [local('.DS_Store', 3, undefined)],
      [{ key: 'keep/me.txt', size: 1, etag: MD5_A }],
      { ignore: (p) => p === '.DS_Store' || p.startsWith('keep/') },
      [
        ['.DS_Store', 'ignore', /matches the ignore list/],
        ['keep/me.txt', 'ignore', /kept in the bucket/],
      ],
    ],
    ['dotfiles are ordinary files', [local('.well-known/security.txt', 3, MD5_A)], [], {}, [['.well-known/security.txt', 'create', /not in the bucket/]]],
  ])('%s', (_name, files, objects, extra, expected) => {
    const plan = planSync(files, remote(...objects), options(extra));
    expect(plan.changeset.map((e) => [e.path, e.action])).toEqual(expected.map(([p, a]) => [p, a]));
    plan.changeset.forEach((entry, i) => expect(entry.reason).toMatch(expected[i]?.[2] as RegExp));
    expect(plan.uploads.map((f) => f.key)).toEqual(expected.filter(([, a]) => a === 'create' || a === 'update').map(([p]) => p));
    expect(plan.deletes).toEqual(expected.filter(([, a]) => a === 'delete').map(([p]) => p));
  });

  it('does not depend on the listing order (s3rver lists out of order)', () => {
    const files = ['b', 'a', 'c'].map((k) => local(k, 1, MD5_A));
    const objects: RemoteObject[] = [
      { key: 'z', size: 1, etag: MD5_A },
      { key: 'c', size: 1, etag: MD5_A },
      { key: 'a', size: 1, etag: MD5_B },
    ];
    const one = planSync(files, remote(...objects), options());
    const two = planSync([...files].reverse(), remote(...[...objects].reverse()), options());
    expect(one).toEqual(two);
    expect(one.changeset.map((e) => `${e.path}:${e.action}`)).toEqual(['a:update', 'b:create', 'c:no_change', 'z:delete']);
    expect(countActions(one.changeset)).toEqual({ create: 1, update: 1, delete: 1, no_change: 1, ignore: 0 });
  });

  it('records sizes and md5s like the gem (path, md5, action) plus size and reason', () => {
    const plan = planSync([local('index.html', 10, MD5_A)], remote({ key: 'gone.css', size: 5, etag: MD5_B }), options());
    expect(plan.changeset).toEqual([
      { path: 'gone.css', md5: MD5_B, action: 'delete', size: 5, reason: 'not in the build' },
      { path: 'index.html', md5: MD5_A, action: 'create', size: 10, reason: 'not in the bucket' },
    ]);
  });

  it.each<[string, string, Map<string, string | null> | undefined, string, RegExp]>([
    ['KMS ETag, stored MD5 matches', 'f'.repeat(32), new Map([['a.js', MD5_A]]), 'no_change', /stored MD5/],
    ['KMS ETag, stored MD5 differs', 'f'.repeat(32), new Map([['a.js', MD5_B]]), 'update', /content differs \(stored MD5\)/],
    ['KMS ETag, object without a stored MD5 (foreign)', 'f'.repeat(32), new Map([['a.js', null]]), 'update', /no stored MD5 \(uploaded once to store one\)/],
    ['SSE-C style ETag, stored MD5 matches', 'not-hex', new Map([['a.js', MD5_A]]), 'no_change', /stored MD5/],
    ['multipart with an unknown part size, stored MD5 matches', `${MD5_B}-9`, new Map([['a.js', MD5_A]]), 'no_change', /stored MD5/],
    ['multipart with an unknown part size, no stored MD5', `${MD5_B}-9`, new Map([['a.js', null]]), 'update', /multipart ETag \(9 parts\) not reproduced and no stored MD5/],
  ])('%s', (_name, etag, stored, action, reason) => {
    const plan = planSync([local('a.js', 3, MD5_A)], remote({ key: 'a.js', size: 3, etag }), options(), stored);
    expect(plan.changeset[0]).toMatchObject({ action });
    expect(plan.changeset[0]?.reason).toMatch(reason);
  });

  it('asks for stored MD5s only where the ETag cannot settle it', () => {
    const files = [local('same.js', 3, MD5_A), local('kms.js', 3, MD5_A), local('bigger.js', 4, MD5_A), local('new.js', 3, MD5_A)] as HashedFile[];
    const objects = remote({ key: 'same.js', size: 3, etag: MD5_A }, { key: 'kms.js', size: 3, etag: MD5_B }, { key: 'bigger.js', size: 3, etag: MD5_B });
    expect(keysNeedingStoredMd5(files, objects)).toEqual(['kms.js']);
  });

  it('never changes its inputs', () => {
    const files = [local('a.js', 3, MD5_A), local('b.js', 3, MD5_A)];
    const objects = remote({ key: 'a.js', size: 3, etag: MD5_B }, { key: 'gone', size: 1, etag: MD5_A });
    const before = JSON.stringify([files, [...objects]]);
    planSync(Object.freeze(files) as TestFile[], objects, options());
    expect(JSON.stringify([files, [...objects]])).toBe(before);
  });

  it('refuses two files that map to one key', () => {
    const files = [local('about.html', 1, MD5_A, { key: 'about' }), local('about', 1, MD5_A)];
    expect(() => planSync(files, remote(), options())).toThrow(/same key "about"/);
  });
});

describe('multipart helpers', () => {
  it.each([
    [`${MD5_A}-3`, 3],
    [MD5_A, undefined],
    ['garbage-2', undefined],
  ])('multipartParts(%s) = %s', (etag, parts) => {
    expect(multipartParts(etag)).toBe(parts);
  });

  it.each<[number, number, number[], number[]]>([
    [20 * MIB, 3, [], [8 * MIB, 7 * MIB]],
    [20 * MIB, 4, [], [5 * MIB]],
    [20 * MIB, 2, [], [16 * MIB, 10 * MIB]],
    [20 * MIB, 3, [9 * MIB], [9 * MIB, 8 * MIB, 7 * MIB]],
    [100, 3, [], []],
  ])('partSizeCandidates(%d, %d, %j)', (size, parts, preferred, expected) => {
    expect(partSizeCandidates(size, parts, preferred)).toEqual(expected);
  });
});
