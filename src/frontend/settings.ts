import { describeSource, SYNC_ENV_FILE, type ProjectConfig, type ResolvedSetting } from '../core/config.js';
import { usageError } from '../core/errors.js';
import { parseCacheRule, type CacheRule } from './headers.js';
import { DEFAULT_MAX_INVALIDATION_PATHS } from './invalidation.js';
import { pendingPath } from './pending.js';

export const DEFAULT_CONCURRENCY = 32;
export const DEFAULT_MAX_DELETE = 256;

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
  cacheRules: CacheRule[];
  stripHtmlExtension: boolean;
  maxInvalidationPaths: number;
  wait: boolean;
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
 */
export const SYNC_VARIABLES = {
  bucket: ['SYNC_S3_BUCKET'],
  distributionId: ['SYNC_CLOUDFRONT_DISTRIBUTION_ID', 'SYNC_CLOUDFRONT_DISTRUBTION_ID'],
  buildDir: ['SYNC_BUILD_DIR'],
  changesetPath: ['SYNC_OUTPUT_CHANGESET_PATH'],
  autoApprove: ['SYNC_AUTO_APPROVE'],
} as const satisfies Record<string, readonly string[]>;

export type SyncSettingName = keyof typeof SYNC_VARIABLES;

/**
 * One frontend sync setting through the project's settings resolver: the flag, then the process environment,
 * then `<envOutDir>/sync.env` (written by `cruddur env generate sync`), then `.env.local`, `.env`, `cruddur.json`
 * and the local stack. `frontend sync` and `doctor` both call this, so they agree on the bucket.
 */
export function syncSetting(project: ProjectConfig, setting: SyncSettingName, flag?: { name: string; value: string | undefined }): ResolvedSetting | undefined {
  return project.setting({ variables: SYNC_VARIABLES[setting], syncEnv: true, ...(flag ? { flag } : {}) });
}

/** Resolves the flags and the gem's variables (see {@link syncSetting}) into the sync's settings. */
export function resolveSyncSettings(project: ProjectConfig, flags: SyncFlags): SyncSettings {
  const sources: Record<string, string> = {};
  const pick = (setting: SyncSettingName, flagName: string, flag: string | undefined): string | undefined => {
    const resolved = syncSetting(project, setting, { name: flagName, value: flag });
    if (resolved) sources[setting] = resolved.source === 'flag' ? 'flag' : describeSource(resolved);
    return resolved?.value;
  };

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
  const bucketName = syncBucketName(bucket);
  return {
    bucket: bucketName,
    distributionId: pick('distributionId', '--distribution-id', flags.distributionId),
    buildDir: project.resolve(pick('buildDir', '--build-dir', flags.buildDir) ?? project.paths.buildDir),
    changesetPath: changeset === '-' || changeset === 'none' ? undefined : project.resolve(changeset),
    autoApprove: autoApproveText === undefined ? false : parseBoolean('SYNC_AUTO_APPROVE', autoApproveText),
    dryRun: flags.dryRun ?? false,
    delete: flags.delete ?? true,
    force: flags.force ?? false,
    maxDelete: positive('max-delete', flags.maxDelete, DEFAULT_MAX_DELETE, 0),
    concurrency: positive('concurrency', flags.concurrency, DEFAULT_CONCURRENCY),
    ignore: checkIgnoreGlobs(flags.ignore ?? []),
    cacheRules: (flags.cacheControl ?? []).map(parseCacheRule),
    stripHtmlExtension: flags.stripHtmlExtension ?? false,
    maxInvalidationPaths: positive('max-invalidation-paths', flags.maxInvalidationPaths, DEFAULT_MAX_INVALIDATION_PATHS),
    wait: flags.wait ?? false,
    pendingPath: pendingPath(project.root, bucketName),
    sources,
  };
}

/** The bucket name in SYNC_S3_BUCKET or --bucket, which the gem also accepted as `s3://name/`. */
export function syncBucketName(value: string): string {
  return value.trim().replace(/^s3:\/\//, '').replace(/\/+$/, '');
}

/** picomatch throws a TypeError on an empty glob: say which flag instead. */
export function checkIgnoreGlobs(globs: string[]): string[] {
  if (globs.some((g) => g.trim() === '')) throw usageError('--ignore needs a glob, got an empty value', 'pass e.g. --ignore ".DS_Store" or --ignore "uploads/**"');
  return globs;
}
