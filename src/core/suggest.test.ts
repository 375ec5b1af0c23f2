import { describe, expect, it } from 'vitest';
import { closest, distance } from './suggest.js';

describe('closest', () => {
  const ids = ['db migrate', 'db migration new', 'db status', 'frontend sync', 'local up', 'bootstrap'];
  it.each([
    ['db migrat', 'db migrate'],
    ['db stauts', 'db status'],
    ['frontend synk', 'frontend sync'],
    ['bootstarp', 'bootstrap'],
    ['local upp', 'local up'],
    ['deploy everything', undefined],
  ])('%s -> %s', (typed, expected) => {
    expect(closest(typed, ids)).toBe(expected);
  });
  it('distance counts single edits', () => {
    expect([distance('', 'abc'), distance('abc', 'abc'), distance('abc', 'abd'), distance('kitten', 'sitting')]).toEqual([3, 0, 1, 3]);
  });
});
