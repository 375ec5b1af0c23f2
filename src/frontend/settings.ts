import { describeSource, SYNC_ENV_FILE, type ProjectConfig, type ResolvedSetting } from '../core/config.js';
import { emptyFlag, usageError } from '../core/errors.js';
import { filterMatcher, type PathFilter } from './filters.js';
import { parseCacheRule } from './headers.js';
import { checkObjectOptions, parseContentTypeRule, parseRoutes, type HeaderConfig, type ObjectOptions } from './routes.js';
import { DEFAULT_MAX_INVALIDATION_PATHS } from './invalidation.js';
import { pendingPath } from './pending.js';

export const DEFAULT_CONCURRENCY = 32;
export const DEFAULT_MAX_DELETE = 256;
/** --invalidation-timeout: how long CloudFront's in-progress quotas are waited out (10 minutes). */
export const DEFAULT_INVALIDATION_TIMEOUT_S = 600;

/** What the command's flags may set; anything unset falls back to the gem's variables. */
export interface SyncFlags {
  bucket?: string;
  distributionId?: string;
  buildDir?: string;
  changeset?: string;
  autoApprove?: boolean;
  dryRun?: boolean;
  delete?: boolean;
  force?: boolean;
  maxDelete?: number;
  concurrency?: number;
  ignore?: string[];
  cacheControl?: string[];
  stripHtmlExtension?: boolean;
  maxInvalidationPaths?: number;
  wait?: boolean;
  prefix?: string;
  /** --exclude / --include in the order typed (filtersFromArgv). */
  filters?: PathFilter[];
  acl?: string;
  sse?: string;
  sseKmsKeyId?: string;
  storageClass?: string;
  contentType?: string[];
  /** --invalidation-timeout in seconds. */
  invalidationTimeout?: number;
}

export interface SyncSettings {
  bucket: string;
  distributionId: string | undefined;
  buildDir: string;
  changesetPath: string | undefined;
  autoApprove: boolean;
  dryRun: boolean;
  delete: boolean;
  force: boolean;
  maxDelete: number;
  concurrency: number;
  ignore: string[];
  /** aws s3 sync's --exclude/--include, cruddur.json's first, then the flags; the last match wins. */
  filters: PathFilter[];
  /** Key prefix the site lives under ('' or ending in '/'); nothing outside it is listed, changed or invalidated. */
  prefix: string;
  /** Every input of an object's headers (rules, routes, ACL, SSE, storage class). */
  headers: HeaderConfig;
  stripHtmlExtension: boolean;
  maxInvalidationPaths: number;
  wait: boolean;
  /** How long to wait out CloudFront's in-progress invalidation quotas before giving up (ms). */
  invalidationTimeoutMs: number;
  /** The invalidation a killed sync still owes (see pending.ts), under `.cruddur/` in the project. */
  pendingPath: string;
  /** Where each setting came from, for the summary and --verbose. */
  sources: Record<string, string>;
}

export function parseBoolean(name: string, value: string): boolean {
  if (/^(true|1|yes|y)$/i.test(value.trim())) return true;
  if (/^(false|0|no|n|)$/i.test(value.trim())) return false;
  throw usageError(`${name}=${value} is not a boolean`, `set ${name} to true or false`);
}

/**
 * The gem's variables for each frontend sync setting (SPEC: `frontend sync`), in order of preference,
 * including the bootcamp's misspelt SYNC_CLOUDFRONT_DISTRUBTION_ID. `doctor` checks the same ones.
 * The bare names the bootcamp's Rakefile passed to the gem (S3_BUCKET, CLOUDFRONT_DISTRUBTION_ID, BUILD_DIR,
 * OUTPUT_CHANGESET_PATH, AUTO_APPROVE, IGNORE_FILES) are fallbacks (GEM_VARIABLES): a SYNC_ name set in any
 * layer wins over a bare one.
 */
export const SYNC_VARIABLES = {
  bucket: ['SYNC_S3_BUCKET'],
  distributionId: ['SYNC_CLOUDFRONT_DISTRIBUTION_ID', 'SYNC_CLOUDFRONT_DISTRUBTION_ID'],
  buildDir: ['SYNC_BUILD_DIR'],
  changesetPath: ['SYNC_OUTPUT_CHANGESET_PATH'],
  autoApprove: ['SYNC_AUTO_APPROVE'],
  ignore: ['SYNC_IGNORE_FILES'],
} as const satisfies Record<string, readonly string[]>;

/** The bare names of the bootcamp's Rakefile, read only when no SYNC_ name is set in any layer. */
export const GEM_VARIABLES = {
  bucket: ['S3_BUCKET'],
  distributionId: ['CLOUDFRONT_DISTRUBTION_ID', 'CLOUDFRONT_DISTRIBUTION_ID'],
  buildDir: ['BUILD_DIR'],
  changesetPath: ['OUTPUT_CHANGESET_PATH'],
  autoApprove: ['AUTO_APPROVE'],
  ignore: ['IGNORE_FILES'],
} as const satisfies Record<keyof typeof SYNC_VARIABLES, readonly string[]>;

export type SyncSettingName = keyof typeof SYNC_VARIABLES;

/**
 * One frontend sync setting through the project's settings resolver: the flag, then the process environment,
 * then `<envOutDir>/sync.env` (written by `cruddur env generate sync`), then `.env.local`, `.env`, `cruddur.json`
 * and the local stack. `frontend sync` and `doctor` both call this, so they agree on the bucket.
 */
export function syncSetting(project: ProjectConfig, setting: SyncSettingName, flag?: { name: string; value: string | undefined }): ResolvedSetting | undefined {
  return (
    project.setting({ variables: SYNC_VARIABLES[setting], syncEnv: true, ...(flag ? { flag } : {}) }) ??
    project.setting({ variables: GEM_VARIABLES[setting], syncEnv: true })
  );
}

/** Resolves the flags and the gem's variables (see {@link syncSetting}) into the sync's settings. */
export function resolveSyncSettings(project: ProjectConfig, flags: SyncFlags): SyncSettings {
  const sources: Record<string, string> = {};
  const pick = (setting: SyncSettingName, flagName: string, flag: string | undefined): string | undefined => {
    const resolved = syncSetting(project, setting, { name: flagName, value: flag });
    if (resolved) sources[setting] = resolved.source === 'flag' ? 'flag' : describeSource(resolved);
    return resolved?.value;
  };

  refuseEmptyFlags(flags);
  const bucket = pick('bucket', '--bucket', flags.bucket);
  if (!bucket) {
    throw usageError('No bucket to sync to', `pass --bucket, or set SYNC_S3_BUCKET (e.g. in ${SYNC_ENV_FILE} via \`cruddur env generate sync\`)`);
  }
  const autoApproveText = pick('autoApprove', '--auto-approve', flags.autoApprove ? 'true' : undefined);
  const positive = (name: string, value: number | undefined, fallback: number, min = 1) => {
    const n = value ?? fallback;
    if (!Number.isInteger(n) || n < min) throw usageError(`--${name} must be a whole number >= ${min}`, `pass e.g. --${name} ${fallback}`);
    return n;
  };
  const changeset = pick('changesetPath', '--changeset', flags.changeset) ?? project.paths.changeset;
  const ignoreFiles = splitList(pick('ignore', '--ignore', undefined) ?? '');
  const fileConfig = frontendConfig(project.frontend ?? {});
  const bucketName = checkBucketName(syncBucketName(bucket), sources.bucket === 'flag' ? '--bucket' : (sources.bucket ?? 'SYNC_S3_BUCKET'));
  const distributionId = pick('distributionId', '--distribution-id', flags.distributionId);
  if (distributionId !== undefined) checkDistributionId(distributionId, sources.distributionId === 'flag' ? '--distribution-id' : (sources.distributionId ?? 'SYNC_CLOUDFRONT_DISTRIBUTION_ID'));
  return {
    bucket: bucketName,
    distributionId,
    buildDir: project.resolve(pick('buildDir', '--build-dir', flags.buildDir) ?? project.paths.buildDir),
    changesetPath: changeset === '-' || changeset === 'none' ? undefined : project.resolve(changeset),
    autoApprove: autoApproveText === undefined ? false : parseBoolean('SYNC_AUTO_APPROVE', autoApproveText),
    dryRun: flags.dryRun ?? false,
    delete: flags.delete ?? true,
    force: flags.force ?? false,
    maxDelete: positive('max-delete', flags.maxDelete, DEFAULT_MAX_DELETE, 0),
    concurrency: positive('concurrency', flags.concurrency, DEFAULT_CONCURRENCY),
    ignore: [...ignoreFiles, ...checkIgnoreGlobs(flags.ignore ?? [])],
    filters: [...fileConfig.filters, ...(flags.filters ?? [])],
    prefix: normalizePrefix(flags.prefix ?? fileConfig.prefix ?? ''),
    headers: {
      cacheRules: [...(flags.cacheControl ?? []).map(parseCacheRule), ...fileConfig.cacheRules],
      contentTypeRules: [...(flags.contentType ?? []).map(parseContentTypeRule), ...fileConfig.contentTypeRules],
      routes: fileConfig.routes,
      object: checkObjectOptions({
        acl: flags.acl ?? fileConfig.object.acl,
        sse: flags.sse ?? fileConfig.object.sse,
        sseKmsKeyId: flags.sseKmsKeyId ?? fileConfig.object.sseKmsKeyId,
        storageClass: flags.storageClass ?? fileConfig.object.storageClass,
      }),
    },
    invalidationTimeoutMs: positive('invalidation-timeout', flags.invalidationTimeout, DEFAULT_INVALIDATION_TIMEOUT_S, 0) * 1000,
    stripHtmlExtension: flags.stripHtmlExtension ?? false,
    maxInvalidationPaths: positive('max-invalidation-paths', flags.maxInvalidationPaths, DEFAULT_MAX_INVALIDATION_PATHS),
    wait: flags.wait ?? false,
    pendingPath: pendingPath(project.root, bucketName),
    sources,
  };
}

/** The string flags of `frontend sync` by their SyncFlags name; lists are checked entry by entry (--ignore by checkIgnoreGlobs). */
const STRING_FLAGS = {
  bucket: '--bucket',
  distributionId: '--distribution-id',
  buildDir: '--build-dir',
  changeset: '--changeset',
  acl: '--acl',
  sse: '--sse',
  sseKmsKeyId: '--sse-kms-key-id',
  storageClass: '--storage-class',
  cacheControl: '--cache-control',
  contentType: '--content-type',
} as const satisfies Partial<Record<keyof SyncFlags, string>>;

/**
 * An explicit flag given an empty (or blank) value is a usage error, never a fallback to the variable or
 * default the flag would override (explicit settings are never replaced by guesses). `--prefix ''` is the
 * bucket root, a value, and stays allowed.
 */
export function refuseEmptyFlags(flags: SyncFlags): void {
  for (const [field, flag] of Object.entries(STRING_FLAGS)) {
    const value = flags[field as keyof typeof STRING_FLAGS];
    const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
    if (values.some((v) => v.trim() === '')) throw emptyFlag(flag);
  }
  const filter = (flags.filters ?? []).find((f) => f.pattern.trim() === '');
  if (filter) throw emptyFlag(`--${filter.type}`);
}


/**
 * S3's naming rules for general purpose buckets (docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html):
 * 3-63 characters of lowercase letters, digits, `.` and `-`; starting and ending with a letter or digit; no `..`;
 * not an IPv4 address; not starting with `xn--`, `sthree-` or `amzn-s3-demo-`, not ending with `-s3alias`,
 * `--ol-s3`, `.mrap` or `--x-s3`. Returns the reason a name breaks them, or undefined. (Names from before
 * March 2018 in us-east-1 could hold capitals and `_`; those cannot be used with virtual-hosted addressing and are
 * refused here too.)
 */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return `it has ${name.length} characters (3 to 63 allowed)`;
  const bad = [...name].find((c) => !/[a-z0-9.-]/.test(c));
  if (bad !== undefined) return `"${bad}" is not allowed (lowercase letters, digits, "." and "-" only)`;
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) return 'it must start and end with a letter or digit';
  if (name.includes('..')) return 'it has two periods in a row';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return 'it is formatted as an IP address';
  const prefix = ['xn--', 'sthree-', 'amzn-s3-demo-'].find((p) => name.startsWith(p));
  if (prefix) return `it starts with the reserved prefix "${prefix}"`;
  const suffix = ['-s3alias', '--ol-s3', '.mrap', '--x-s3'].find((p) => name.endsWith(p));
  if (suffix) return `it ends with the reserved suffix "${suffix}"`;
  return undefined;
}

/** The name when S3 accepts it; else a usage error naming it and where it came from (`--bucket`, a file). */
export function checkBucketName(name: string, from: string): string {
  const problem = bucketNameProblem(name);
  if (problem) throw usageError(`"${name}" (from ${from}) is not a valid S3 bucket name: ${problem}`, 'pass the bucket\'s name as `aws s3 ls` lists it (e.g. --bucket my-site.example.com)');
  return name;
}

/**
 * CloudFront distribution ids are uppercase letters and digits (E2QWRUHAPOMQZL); anything else is a usage
 * error before any request (a typo would otherwise reach CloudFront, or, in a dry run, nothing would notice).
 */
export function checkDistributionId(id: string, from: string): string {
  if (!/^[A-Z0-9]+$/.test(id)) {
    throw usageError(`"${id}" (from ${from}) is not a CloudFront distribution id (uppercase letters and digits, like E2QWRUHAPOMQZL)`, 'copy the Id column of `aws cloudfront list-distributions --query "DistributionList.Items[].[Id,Aliases.Items[0]]"`');
  }
  return id;
}

/** The bucket name in SYNC_S3_BUCKET or --bucket, which the gem also accepted as `s3://name/`. */
export function syncBucketName(value: string): string {
  return value.trim().replace(/^s3:\/\//, '').replace(/\/+$/, '');
}

/** The gem's `ignore_files` list as one variable: names or globs separated by commas or newlines. */
export function splitList(text: string): string[] {
  return text.split(/[,\n]/).map((s) => s.trim()).filter(Boolean);
}

/** picomatch throws a TypeError on an empty glob: say which flag instead. */
export function checkIgnoreGlobs(globs: string[]): string[] {
  if (globs.some((g) => g.trim() === '')) throw usageError('--ignore needs a glob, got an empty value', 'pass e.g. --ignore ".DS_Store" or --ignore "uploads/**"');
  return globs;
}

/**
 * A key prefix as S3 keys use it: no leading `/`, one trailing `/` ('' for the bucket root). `..`, `.`,
 * empty segments, a `*` or a control character are usage errors.
 */
export function normalizePrefix(prefix: string): string {
  const trimmed = prefix.trim().replace(/^\/+/, '').replace(/\/+$/, '');
  if (trimmed === '') return '';
  const bad = trimmed.split('/').find((s) => s === '' || s === '.' || s === '..' || /[*\x00-\x1f\x7f]/.test(s));
  if (bad !== undefined) throw usageError(`--prefix "${prefix}" is not a key prefix (segment "${bad}")`, 'pass a path like --prefix app/v2 (no "..", "*" or empty segments)');
  return `${trimmed}/`;
}

interface FrontendFileConfig {
  routes: HeaderConfig['routes'];
  prefix?: string;
  filters: PathFilter[];
  cacheRules: HeaderConfig['cacheRules'];
  contentTypeRules: HeaderConfig['contentTypeRules'];
  object: ObjectOptions;
}

const FRONTEND_KEYS = ['routes', 'prefix', 'exclude', 'include', 'filters', 'acl', 'sse', 'sseKmsKeyId', 'storageClass', 'contentType', 'cacheControl'];

/**
 * cruddur.json's `frontend` object (besides `path`): `routes`, `prefix`, `exclude` / `include` (lists; all
 * excludes, then all includes) or `filters` (`[{"exclude": "*"}, {"include": "*.html"}]`, in order), `acl`,
 * `sse`, `sseKmsKeyId`, `storageClass`, `contentType` and `cacheControl` (objects of GLOB: VALUE). A wrong
 * key or type is a usage error naming it, before anything is sent.
 */
export function frontendConfig(raw: Readonly<Record<string, unknown>>): FrontendFileConfig {
  const fix = 'see docs/frontend.md, "cruddur.json frontend settings"';
  for (const key of Object.keys(raw)) if (!FRONTEND_KEYS.includes(key)) throw usageError(`cruddur.json: frontend.${key} is not a known setting (known: path, ${FRONTEND_KEYS.join(', ')})`, fix);
  const str = (key: string): string | undefined => {
    const v = raw[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v === '') throw usageError(`cruddur.json: frontend.${key} must be a non-empty string`, fix);
    return v;
  };
  const list = (key: string): string[] => {
    const v = raw[key];
    if (v === undefined) return [];
    const l = typeof v === 'string' ? [v] : v;
    if (!Array.isArray(l) || l.some((x) => typeof x !== 'string' || x === '')) throw usageError(`cruddur.json: frontend.${key} must be a list of patterns`, fix);
    return l as string[];
  };
  const rules = (key: string): Array<[string, string]> => {
    const v = raw[key];
    if (v === undefined) return [];
    if (typeof v !== 'object' || v === null || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string')) throw usageError(`cruddur.json: frontend.${key} must be an object of GLOB: VALUE`, fix);
    return Object.entries(v as Record<string, string>);
  };
  const filters: PathFilter[] = [...list('exclude').map((pattern) => ({ type: 'exclude' as const, pattern })), ...list('include').map((pattern) => ({ type: 'include' as const, pattern }))];
  if (raw.filters !== undefined) {
    if (!Array.isArray(raw.filters)) throw usageError('cruddur.json: frontend.filters must be a list like [{"exclude": "*"}, {"include": "*.html"}]', fix);
    for (const f of raw.filters as unknown[]) {
      const entries = typeof f === 'object' && f !== null ? Object.entries(f) : [];
      const [type, pattern] = entries[0] ?? [];
      if (entries.length !== 1 || (type !== 'exclude' && type !== 'include') || typeof pattern !== 'string' || pattern === '') throw usageError(`cruddur.json: frontend.filters entry ${JSON.stringify(f)} must be {"exclude": PATTERN} or {"include": PATTERN}`, fix);
      filters.push({ type, pattern });
    }
  }
  filterMatcher(filters);
  return {
    routes: raw.routes === undefined ? [] : parseRoutes(raw.routes, 'cruddur.json: frontend.routes'),
    ...(str('prefix') !== undefined ? { prefix: str('prefix') } : {}),
    filters,
    cacheRules: rules('cacheControl').map(([glob, value]) => parseCacheRule(`${glob}=${value}`)),
    contentTypeRules: rules('contentType').map(([glob, value]) => parseContentTypeRule(`${glob}=${value}`)),
    object: { acl: str('acl'), sse: str('sse'), sseKmsKeyId: str('sseKmsKeyId'), storageClass: str('storageClass') },
  };
}
