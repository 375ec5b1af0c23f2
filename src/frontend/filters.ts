import { usageError } from '../core/errors.js';

/** One `--exclude` or `--include` of `aws s3 sync`, in the order given. */
export interface PathFilter {
  type: 'exclude' | 'include';
  pattern: string;
}

/**
 * Python's `fnmatch.translate`, which `aws s3 sync` filters use (awscli/customizations/s3/filters.py):
 * `*` matches any run of characters, `/` included; `?` one character; `[seq]` / `[!seq]` a set; everything
 * else itself. Matched against the whole path relative to the build dir (or prefix), case-sensitively.
 */
export function fnmatchRegex(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      let j = i + 1;
      if (pattern[j] === '!') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j++;
      if (j >= pattern.length) out += '\\[';
      else {
        let set = pattern.slice(i + 1, j);
        const negate = set.startsWith('!');
        if (negate) set = set.slice(1);
        // JavaScript reads `[]` as an empty class and `[^]` as "anything": escape what Python takes literally.
        set = set.replace(/[\\\]^]/g, '\\$&');
        out += `[${negate ? '^' : ''}${set}]`;
        i = j;
      }
    } else out += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^(?:${out})$`, 's');
}

/**
 * `aws s3 sync`'s filter rule: every path is included, then each filter in order that matches the path
 * sets it excluded or included, so the last matching filter wins (`--exclude "*" --include "*.html"`
 * keeps only HTML). Returns whether a path is filtered out.
 */
export function filterMatcher(filters: readonly PathFilter[]): (path: string) => boolean {
  if (filters.length === 0) return () => false;
  const compiled = filters.map((f) => ({ exclude: f.type === 'exclude', re: fnmatchRegex(f.pattern) }));
  return (path) => {
    let excluded = false;
    for (const f of compiled) if (f.re.test(path)) excluded = f.exclude;
    return excluded;
  };
}

/**
 * The --exclude / --include flags in the order they were typed (oclif keeps each flag's values apart, and
 * aws's rule depends on the order between them). `--exclude=x` and `--exclude x` both count.
 */
export function filtersFromArgv(argv: readonly string[]): PathFilter[] {
  const out: PathFilter[] = [];
  for (let i = 0; i < argv.length; i++) {
    const m = /^--(exclude|include)(?:=(.*))?$/s.exec(argv[i] as string);
    if (!m) continue;
    const pattern = m[2] ?? argv[++i];
    if (pattern === undefined || pattern === '') throw usageError(`--${m[1]} needs a pattern`, `pass e.g. --${m[1]} "*.map"`);
    out.push({ type: m[1] as PathFilter['type'], pattern });
  }
  return out;
}
