import { createRequire } from 'node:module';
import picomatch from 'picomatch';
import { usageError } from '../core/errors.js';

export const NO_CACHE = 'no-cache';
export const IMMUTABLE = 'public, max-age=31536000, immutable';

/** A `--cache-control GLOB=VALUE` rule; user rules win over the built-in ones, the first match wins. */
export interface CacheRule {
  glob: string;
  value: string;
}

/** One Cache-Control directive: `public`, `max-age=60`, `no-cache="Set-Cookie"`. */
const CACHE_DIRECTIVE = /^[A-Za-z][A-Za-z0-9-]*(=("[^"]*"|[A-Za-z0-9-]+))?$/;

export function parseCacheRule(text: string): CacheRule {
  const at = text.indexOf('=');
  const glob = at > 0 ? text.slice(0, at).trim() : '';
  const value = at > 0 ? text.slice(at + 1).trim() : '';
  if (!glob || !value) {
    throw usageError(`Invalid --cache-control rule "${text}"`, 'use GLOB=VALUE, e.g. --cache-control "*.json=public, max-age=60"');
  }
  // "max-age=60" alone parses as GLOB "max-age", VALUE "60": a value must be Cache-Control directives.
  const bad = value.split(',').map((d) => d.trim()).find((d) => !CACHE_DIRECTIVE.test(d));
  if (bad !== undefined) {
    throw usageError(`Invalid --cache-control rule "${text}": "${bad}" is not a Cache-Control directive`, 'use GLOB=VALUE, e.g. --cache-control "*.json=public, max-age=60"');
  }
  return { glob, value };
}

const HTML = /\.html?$/i;

export function isHtml(file: string): boolean {
  return HTML.test(file);
}

/**
 * A content-hashed build asset (CRA `static/js/main.3f2a1b4c.js`, `static/media/logo.6ce24c58023cc2f8caf2.svg`,
 * Vite `assets/index-BdV3x_9k.js`): its name changes whenever its bytes do, so it can be cached forever.
 */
export function isHashedAsset(key: string): boolean {
  if (/^static\//.test(key)) return /\.[0-9a-f]{8,}\.[^/]+$/i.test(key);
  if (/^assets\//.test(key)) return /[.-][A-Za-z0-9_]{8,}\.[a-z0-9]+$/.test(key) && /\d/.test(key.slice(key.lastIndexOf('/')));
  return false;
}

/**
 * Extensionless paths whose type is registered: Apple fetches `apple-app-site-association` and expects JSON
 * (Apple's "Supporting associated domains"); the others are RFC 8414 / OpenID Connect Discovery (JSON),
 * RFC 7033 WebFinger (JRD) and RFC 6415 host-meta (XRD).
 */
const KNOWN_PATHS: Record<string, string> = {
  '.well-known/apple-app-site-association': 'application/json',
  'apple-app-site-association': 'application/json',
  '.well-known/openid-configuration': 'application/json',
  '.well-known/oauth-authorization-server': 'application/json',
  '.well-known/webfinger': 'application/jrd+json',
  '.well-known/nodeinfo': 'application/json',
  '.well-known/host-meta': 'application/xrd+xml',
};

const requireHere = createRequire(import.meta.url);
let mimeTypes: typeof import('mime-types') | undefined;
/** mime-types parses its database (mime-db, 200 KB of JSON) when loaded: only once a Content-Type is needed, never on a run that uploads nothing. */
const mime = () => (mimeTypes ??= requireHere('mime-types') as typeof import('mime-types'));

/**
 * The Content-Type for a build path: the registered type of a known extensionless path (KNOWN_PATHS), else
 * the mime database by extension, with `; charset=utf-8` for text types (text/*, JSON, JavaScript; the
 * `mime-types` rule); unknown and other extensionless files are `application/octet-stream`.
 */
export function contentTypeFor(file: string): string {
  const known = KNOWN_PATHS[file];
  if (known) return mime().contentType(known) || known;
  return mime().contentType(file.slice(file.lastIndexOf('/') + 1)) || 'application/octet-stream';
}

/**
 * The built-in Cache-Control for a single-page app: a content-hashed asset is cached for a year
 * (`IMMUTABLE`), every other file revalidates (`no-cache`: index.html, service-worker.js,
 * asset-manifest.json, manifest.json, robots.txt...), so no browser keeps serving an old build after a
 * deploy (Create React App's "Static file caching" advice).
 */
export function defaultCacheControl(file: string): string {
  return isHashedAsset(file) ? IMMUTABLE : NO_CACHE;
}

/** Compiles the rules once; the returned function gives the Cache-Control for a file: the first matching rule, else defaultCacheControl. */
export function cacheControlResolver(rules: readonly CacheRule[]): (file: string, key: string) => string {
  const matchers = rules.map((rule) => ({ test: picomatch(rule.glob, { dot: true, basename: !rule.glob.includes('/') }), value: rule.value }));
  return (file, key) => {
    for (const m of matchers) if (m.test(file) || m.test(key)) return m.value;
    return defaultCacheControl(file);
  };
}

/**
 * The object key for a build file. With `stripHtml`, only a trailing `.html` is removed and never from
 * `index.html` (the S3 website index document); the gem stripped the first ".html" anywhere in the key.
 */
export function keyFor(file: string, options: { stripHtml: boolean }): string {
  if (!options.stripHtml) return file;
  const base = file.slice(file.lastIndexOf('/') + 1);
  if (base === 'index.html' || !file.endsWith('.html') || base === '.html') return file;
  return file.slice(0, -'.html'.length);
}
