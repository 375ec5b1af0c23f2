import { describe, expect, it } from 'vitest';
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
