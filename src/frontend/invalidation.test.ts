import { describe, expect, it } from 'vitest';
import { cloudFrontRejects } from '../../test/frontend/cloudfront-fake.js';
import { encodeSegment, keyPath } from '../aws/cloudfront.js';
import { invalidationPaths } from './invalidation.js';

const many = (n: number, make: (i: number) => string) => Array.from({ length: n }, (_, i) => make(i));

describe('invalidationPaths', () => {
  it.each<[string, string[], number, string[]]>([
    ['nothing changed', [], 15, []],
    ['one asset', ['static/js/main.1234abcd.js'], 15, ['/static/js/main.1234abcd.js']],
    ['index.html also invalidates /', ['index.html'], 15, ['/', '/index.html']],
    ['nested index.html invalidates its folder', ['docs/index.html'], 15, ['/docs/', '/docs/index.html']],
    ['40 files under /static -> /static/*', many(40, (i) => `static/file${i}.js`), 15, ['/static/*']],
    [
      '40 files under /static plus index.html',
      [...many(40, (i) => `static/file${i}.js`), 'index.html'],
      15,
      ['/', '/index.html', '/static/*'],
    ],
    [
      'deepest folders coalesce first',
      [...many(20, (i) => `static/js/${i}.js`), ...many(20, (i) => `static/css/${i}.css`), 'index.html', 'robots.txt'],
      15,
      ['/', '/index.html', '/robots.txt', '/static/css/*', '/static/js/*'],
    ],
    [
      'only as many groups as needed are coalesced',
      [...many(10, (i) => `static/js/${i}.js`), 'static/css/a.css', 'static/css/b.css', 'favicon.svg'],
      5,
      ['/favicon.svg', '/static/css/a.css', '/static/css/b.css', '/static/js/*'],
    ],
    ['too many top-level files -> /*', many(20, (i) => `page${i}.txt`), 15, ['/*']],
    ['duplicates collapse', ['a.js', 'a.js'], 15, ['/a.js']],
    ['unsafe characters are encoded', ['img/my photo.png'], 15, ['/img/my%20photo.png']],
    ['under the limit nothing coalesces', many(15, (i) => `static/${i}.js`), 15, many(15, (i) => `/static/${i}.js`).sort()],
  ])('%s', (_name, keys, max, expected) => {
    expect(invalidationPaths(keys, max)).toEqual(expected);
  });

  it('never exceeds 15 wildcards even with a high path limit', () => {
    const keys = Array.from({ length: 20 }, (_, d) => [`d${d}/a.js`, `d${d}/b.js`]).flat();
    expect(invalidationPaths(keys, 30)).toHaveLength(30);
    expect(invalidationPaths(keys, 22)).toEqual(['/*']);
  });
});

/**
 * CloudFront's documented rules for an invalidation path (Developer Guide, "What you need to know when
 * invalidating paths"): it starts with `/`; non-ASCII and RFC 1738 unsafe characters are URL-encoded
 * and nothing else is; `*` is a wildcard only as the last character. Test-side restatement of the rules,
 * used by the fake CloudFront too.
 */

describe('CloudFront path encoding', () => {
  // [character class, key, path CloudFront must receive]
  it.each<[string, string, string]>([
    ['plain', 'static/js/main.5f3a1b2c.js', '/static/js/main.5f3a1b2c.js'],
    ['tilde (CRA runtime chunk)', 'static/js/runtime~main.5f3a1b2c.js', '/static/js/runtime%7Emain.5f3a1b2c.js'],
    ['space', 'img/my photo.png', '/img/my%20photo.png'],
    ['unicode', 'img/café/日本.png', '/img/caf%C3%A9/%E6%97%A5%E6%9C%AC.png'],
    ['emoji (4 UTF-8 bytes)', 'a/😀.txt', '/a/%F0%9F%98%80.txt'],
    ['literal *', 'a/*star*.txt', '/a/%2Astar%2A.txt'],
    ['literal * last', 'a/b*', '/a/b%2A'],
    ['percent', 'a/100%.txt', '/a/100%25.txt'],
    ['question mark', 'a/what?.txt', '/a/what%3F.txt'],
    ['hash', 'a/#1.txt', '/a/%231.txt'],
    ['RFC 1738 unsafe', 'a/"<>{}|\\^[]`.txt', '/a/%22%3C%3E%7B%7D%7C%5C%5E%5B%5D%60.txt'],
    ['sub-delims and : @ stay raw', "a/!$&'()+,;=:@.txt", "/a/!$&'()+,;=:@.txt"],
    ['control character', 'a/tab\there', '/a/tab%09here'],
  ])('%s', (_name, key, expected) => {
    const path = keyPath(key);
    expect(path).toBe(expected);
    expect(cloudFrontRejects(path)).toBeUndefined();
    // The path names that object and nothing else: decoding gives the key back.
    expect(decodeURIComponent(path)).toBe(`/${key}`);
    expect(invalidationPaths([key], 15)).toEqual([expected]);
  });

  it('a raw ~, space, unicode or inner * is what CloudFront refuses', () => {
    for (const raw of ['/static/js/runtime~main.js', '/a b', '/café', '/a*/b', '/a/%zz']) expect(cloudFrontRejects(raw), raw).toBeDefined();
    for (const ok of ['/*', '/static/*', '/a%7Eb', '/']) expect(cloudFrontRejects(ok), ok).toBeUndefined();
  });

  it('every printable ASCII character alone gives a path CloudFront accepts and that decodes to it', () => {
    for (let c = 0x20; c < 0x7f; c++) {
      const ch = String.fromCharCode(c);
      if (ch === '/') continue;
      const seg = encodeSegment(`x${ch}y`);
      expect(cloudFrontRejects(`/${seg}`), JSON.stringify(ch)).toBeUndefined();
      expect(decodeURIComponent(seg)).toBe(`x${ch}y`);
    }
  });

  it('coalesced wildcards stay valid with encoded siblings', () => {
    const keys = Array.from({ length: 20 }, (_, i) => `static/js/runtime~${i}.js`);
    const paths = invalidationPaths(keys, 15);
    expect(paths).toEqual(['/static/js/*']);
    for (const p of paths) expect(cloudFrontRejects(p)).toBeUndefined();
  });
});
