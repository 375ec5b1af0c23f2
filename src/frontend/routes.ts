import picomatch from 'picomatch';
import { usageError } from '../core/errors.js';
import { cacheControlResolver, contentTypeFor, type CacheRule } from './headers.js';

/** A compressed route's Content-Encoding. */
export type Encoding = 'gzip' | 'br';

/**
 * One route of `frontend.routes` in cruddur.json, s3deploy's model: the first route whose `match` matches a
 * file sets its headers and, with `gzip` or `brotli`, uploads it compressed. `match` is a regular expression
 * when it starts with `^` (s3deploy's routes), else a glob (picomatch; a glob without `/` matches the file
 * name anywhere).
 */
export interface RouteSpec {
  match: string;
  /** Lower-case header names: cache-control, content-type, content-disposition, content-language, x-amz-meta-*. */
  headers: Record<string, string>;
  gzip?: boolean;
  brotli?: boolean;
}

/** A `--content-type GLOB=TYPE` rule (checked before routes and the built-in types). */
export interface ContentTypeRule {
  glob: string;
  value: string;
}

export const CANNED_ACLS = ['private', 'public-read', 'public-read-write', 'authenticated-read', 'aws-exec-read', 'bucket-owner-read', 'bucket-owner-full-control', 'log-delivery-write'] as const;
export const SSE_MODES = ['AES256', 'aws:kms'] as const;
/** The storage classes `aws s3 sync --storage-class` accepts. */
export const STORAGE_CLASSES = ['STANDARD', 'REDUCED_REDUNDANCY', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'GLACIER', 'DEEP_ARCHIVE', 'GLACIER_IR'] as const;

/** Settings of every object, `aws s3 sync`'s names (--acl, --sse, --sse-kms-key-id, --storage-class). */
export interface ObjectOptions {
  acl?: string;
  sse?: string;
  sseKmsKeyId?: string;
  storageClass?: string;
}

/**
 * Everything that decides an object's headers. Plain JSON: the sync state keeps the one the last run
 * applied (`objectSettings`), so a change of it alone is found without a HeadObject per object.
 */
export interface HeaderConfig {
  cacheRules: CacheRule[];
  contentTypeRules: ContentTypeRule[];
  routes: RouteSpec[];
  object: ObjectOptions;
}

export const emptyHeaderConfig = (): HeaderConfig => ({ cacheRules: [], contentTypeRules: [], routes: [], object: {} });

/** The headers and settings one object is written with (PutObject, CreateMultipartUpload, CopyObject). */
export interface ObjectHeaders {
  contentType: string;
  cacheControl: string;
  contentDisposition?: string;
  contentLanguage?: string;
  contentEncoding?: Encoding;
  /** User metadata, names without `x-amz-meta-`. */
  metadata: Record<string, string>;
  acl?: string;
  serverSideEncryption?: string;
  sseKmsKeyId?: string;
  storageClass?: string;
}

const ROUTE_HEADERS = ['cache-control', 'content-type', 'content-disposition', 'content-language'];
const META = 'x-amz-meta-';
/** A header value S3 stores as sent: printable US-ASCII (user metadata must be, per the S3 docs). */
const PRINTABLE = /^[\x20-\x7e]+$/;
const TOKEN = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
const MIME = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+(\s*;\s*[a-z0-9_.-]+=("[^"]*"|[a-z0-9_.+-]+))*$/i;

/** Parses `--content-type GLOB=TYPE`; a TYPE that is not `type/subtype[; param=value]` is a usage error. */
export function parseContentTypeRule(text: string): ContentTypeRule {
  const at = text.indexOf('=');
  const glob = at > 0 ? text.slice(0, at).trim() : '';
  const value = at > 0 ? text.slice(at + 1).trim() : '';
  if (!glob || !MIME.test(value)) {
    throw usageError(`Invalid --content-type rule "${text}"`, 'use GLOB=TYPE, e.g. --content-type ".well-known/*=application/json"');
  }
  return { glob, value };
}

/**
 * Validates `frontend.routes` from cruddur.json (`where` names it in errors). Every mistake is a usage
 * error naming the route: an unknown header, a value that is not printable ASCII, a bad regex or glob,
 * both gzip and brotli, a reserved `x-amz-meta-cruddur-*` name.
 */
export function parseRoutes(value: unknown, where = 'frontend.routes'): RouteSpec[] {
  const fix = 'see docs/frontend.md, "Routes" (e.g. [{ "match": "*.js", "headers": { "Cache-Control": "no-cache" }, "gzip": true }])';
  if (!Array.isArray(value)) throw usageError(`${where} must be a list of routes`, fix);
  return value.map((raw: unknown, i) => {
    const at = `${where}[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw usageError(`${at} must be an object`, fix);
    const r = raw as Record<string, unknown>;
    for (const key of Object.keys(r)) if (!['match', 'headers', 'gzip', 'brotli'].includes(key)) throw usageError(`${at}: "${key}" is not a route field (match, headers, gzip, brotli)`, fix);
    if (typeof r.match !== 'string' || r.match.trim() === '') throw usageError(`${at}.match must be a glob or a regex starting with ^`, fix);
    matcherFor(r.match, at);
    for (const flag of ['gzip', 'brotli'] as const) if (r[flag] !== undefined && typeof r[flag] !== 'boolean') throw usageError(`${at}.${flag} must be true or false`, fix);
    if (r.gzip === true && r.brotli === true) throw usageError(`${at} sets both gzip and brotli; an object has one Content-Encoding`, 'keep one of them');
    const headers: Record<string, string> = {};
    const given = r.headers ?? {};
    if (typeof given !== 'object' || given === null || Array.isArray(given)) throw usageError(`${at}.headers must be an object of header names and values`, fix);
    for (const [name, v] of Object.entries(given as Record<string, unknown>)) {
      const lower = name.toLowerCase();
      const isMeta = lower.startsWith(META) && TOKEN.test(lower.slice(META.length));
      if (!ROUTE_HEADERS.includes(lower) && !isMeta) throw usageError(`${at}.headers: "${name}" is not a header a route may set`, 'use Cache-Control, Content-Type, Content-Disposition, Content-Language or x-amz-meta-<name>');
      if (lower.startsWith(`${META}cruddur-`)) throw usageError(`${at}.headers: "${name}" is reserved for the sync's own metadata`, 'pick another x-amz-meta- name');
      if (typeof v !== 'string' || !PRINTABLE.test(v)) throw usageError(`${at}.headers["${name}"] must be a non-empty string of printable ASCII`, 'S3 stores header values as US-ASCII; percent-encode others (RFC 5987 for Content-Disposition)');
      if (lower === 'content-type' && !MIME.test(v)) throw usageError(`${at}.headers["${name}"]: "${v}" is not a media type`, 'use type/subtype, e.g. application/json');
      headers[lower] = v;
    }
    const sorted = Object.fromEntries(Object.entries(headers).sort(([a], [b]) => (a < b ? -1 : 1)));
    return { match: r.match, headers: sorted, ...(r.gzip === true ? { gzip: true } : {}), ...(r.brotli === true ? { brotli: true } : {}) };
  });
}

/** The match of a route: a regex (starts with `^`) against the key, or a glob against the build path or key. */
function matcherFor(match: string, where: string): (file: string, key: string) => boolean {
  if (match.startsWith('^')) {
    let re: RegExp;
    try {
      re = new RegExp(match);
    } catch (error) {
      throw usageError(`${where}.match "${match}" is not a valid regular expression: ${(error as Error).message}`, 'fix the regex, or write a glob (no leading ^)');
    }
    return (file, key) => re.test(key) || re.test(file);
  }
  const test = picomatch(match, { dot: true, basename: !match.includes('/') });
  return (file, key) => test(file) || test(key);
}

/** Checks --acl, --sse, --sse-kms-key-id and --storage-class: a bad value is a usage error before anything is sent. */
export function checkObjectOptions(options: ObjectOptions): ObjectOptions {
  const oneOf = (flag: string, value: string | undefined, allowed: readonly string[]) => {
    if (value !== undefined && !allowed.includes(value)) throw usageError(`--${flag} ${value} is not one of ${allowed.join(', ')}`, `pass e.g. --${flag} ${allowed[0]}`);
  };
  oneOf('acl', options.acl, CANNED_ACLS);
  oneOf('sse', options.sse, SSE_MODES);
  oneOf('storage-class', options.storageClass, STORAGE_CLASSES);
  if (options.sseKmsKeyId !== undefined) {
    if (options.sse !== 'aws:kms') throw usageError('--sse-kms-key-id needs --sse aws:kms', 'pass --sse aws:kms --sse-kms-key-id <key id or ARN>');
    if (!/^[A-Za-z0-9:/_-]+$/.test(options.sseKmsKeyId)) throw usageError(`--sse-kms-key-id "${options.sseKmsKeyId}" is not a KMS key id, alias or ARN`, 'pass e.g. --sse-kms-key-id alias/site or the key ARN');
  }
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as ObjectOptions;
}

/**
 * Compiles a HeaderConfig once; the returned function gives the headers of one build file. For each
 * header: a `--cache-control` / `--content-type` rule first, then the first matching route, then the
 * built-in default (defaultCacheControl, contentTypeFor). Pure.
 */
export function headersResolver(config: HeaderConfig): (file: string, key: string) => ObjectHeaders {
  const cacheRule = config.cacheRules.length > 0 ? cacheRuleMatcher(config.cacheRules) : () => undefined;
  const defaultCache = cacheControlResolver([]);
  const typeRule = config.contentTypeRules.length > 0 ? cacheRuleMatcher(config.contentTypeRules) : () => undefined;
  const routes = config.routes.map((r) => ({ test: matcherFor(r.match, 'route'), route: r }));
  const object: Partial<ObjectHeaders> = {
    ...(config.object.acl ? { acl: config.object.acl } : {}),
    ...(config.object.sse ? { serverSideEncryption: config.object.sse } : {}),
    ...(config.object.sseKmsKeyId ? { sseKmsKeyId: config.object.sseKmsKeyId } : {}),
    ...(config.object.storageClass ? { storageClass: config.object.storageClass } : {}),
  };
  return (file, key) => {
    const route = routes.find((r) => r.test(file, key))?.route;
    const h = route?.headers ?? {};
    const metadata: Record<string, string> = {};
    for (const [name, value] of Object.entries(h)) if (name.startsWith(META)) metadata[name.slice(META.length)] = value;
    return {
      contentType: typeRule(file, key) ?? h['content-type'] ?? contentTypeFor(file),
      cacheControl: cacheRule(file, key) ?? h['cache-control'] ?? defaultCache(file, key),
      ...(h['content-disposition'] ? { contentDisposition: h['content-disposition'] } : {}),
      ...(h['content-language'] ? { contentLanguage: h['content-language'] } : {}),
      ...(route?.gzip ? { contentEncoding: 'gzip' as const } : route?.brotli ? { contentEncoding: 'br' as const } : {}),
      metadata,
      ...object,
    };
  };
}

function cacheRuleMatcher(rules: ReadonlyArray<{ glob: string; value: string }>): (file: string, key: string) => string | undefined {
  const matchers = rules.map((rule) => ({ test: picomatch(rule.glob, { dot: true, basename: !rule.glob.includes('/') }), value: rule.value }));
  return (file, key) => matchers.find((m) => m.test(file) || m.test(key))?.value;
}

/** A stable text of a HeaderConfig: equal texts, equal headers for every file. */
export function headerConfigFingerprint(config: HeaderConfig): string {
  return JSON.stringify([config.cacheRules, config.contentTypeRules, config.routes, Object.entries(config.object).sort()]);
}

/** Reads a HeaderConfig kept in the sync state; anything else is undefined (treated as unknown). */
export function parseHeaderConfig(value: unknown): HeaderConfig | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Partial<HeaderConfig>;
  if (!Array.isArray(v.cacheRules) || !Array.isArray(v.contentTypeRules) || !Array.isArray(v.routes) || typeof v.object !== 'object' || v.object === null) return undefined;
  try {
    return { cacheRules: v.cacheRules, contentTypeRules: v.contentTypeRules, routes: parseRoutes(v.routes, 'state'), object: v.object };
  } catch {
    return undefined;
  }
}

/** Whether two objects' headers differ (what a server-side copy would change). */
export function headersDiffer(a: ObjectHeaders, b: ObjectHeaders): boolean {
  return JSON.stringify(sortKeys(a)) !== JSON.stringify(sortKeys(b));
}

const sortKeys = (h: ObjectHeaders) => Object.entries(h).sort(([x], [y]) => (x < y ? -1 : 1)).map(([k, v]) => [k, typeof v === 'object' ? Object.entries(v).sort() : v]);
