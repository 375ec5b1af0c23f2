import { encodeSegment } from '../aws/cloudfront.js';

/** CloudFront allows at most 15 wildcard paths in flight per distribution. */
export const MAX_WILDCARDS = 15;
export const DEFAULT_MAX_INVALIDATION_PATHS = 15;

interface Entry {
  dirs: string[];
  /** A file name, '*' for a wildcard, '' for a directory path ("/about/"). */
  leaf: string;
}

const render = (e: Entry) => `/${e.dirs.map((d) => `${d}/`).join('')}${e.leaf}`;


function entriesFor(key: string): Entry[] {
  const parts = key.split('/').map(encodeSegment);
  const leaf = parts.pop() ?? '';
  const entries = [{ dirs: parts, leaf }];
  // A visitor asks for "/" or "/docs/", not for index.html: invalidate the directory path too.
  if (leaf === 'index.html') entries.push({ dirs: parts, leaf: '' });
  return entries;
}

/**
 * The paths to invalidate for the changed (uploaded or deleted) keys: one per key, plus the directory
 * path of each index.html. Past `maxPaths`, the biggest groups of siblings are replaced by `<dir>/*`,
 * deepest directories first, until the list fits; when even that does not fit, `/*`.
 */
export function invalidationPaths(keys: readonly string[], maxPaths: number = DEFAULT_MAX_INVALIDATION_PATHS): string[] {
  const byPath = new Map<string, Entry>();
  for (const key of keys) for (const e of entriesFor(key)) byPath.set(render(e), e);
  if (byPath.size === 0) return [];
  const limit = Math.max(1, maxPaths);
  const done = () => byPath.size <= limit && [...byPath.values()].filter((e) => e.leaf === '*').length <= MAX_WILDCARDS;
  const deepest = Math.max(...[...byPath.values()].map((e) => e.dirs.length));
  for (let level = deepest; level >= 1 && !done(); level--) {
    const groups = new Map<string, string[]>();
    for (const [path, e] of byPath) {
      if (e.dirs.length < level) continue;
      const prefix = e.dirs.slice(0, level).join('/');
      groups.set(prefix, [...(groups.get(prefix) ?? []), path]);
    }
    const biggestFirst = [...groups].filter(([, members]) => members.length > 1).sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1));
    for (const [prefix, members] of biggestFirst) {
      if (done()) break;
      for (const path of members) byPath.delete(path);
      const wildcard: Entry = { dirs: prefix.split('/'), leaf: '*' };
      byPath.set(render(wildcard), wildcard);
    }
  }
  if (!done()) return ['/*'];
  return [...byPath.keys()].sort();
}
