import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import type { ProjectConfig } from '../core/config.js';
import { usageError } from '../core/errors.js';
import { parseCacheRule, type CacheRule } from './headers.js';
import { DEFAULT_MAX_INVALIDATION_PATHS } from './invalidation.js';
import { pendingPath } from './pending.js';

export const DEFAULT_CONCURRENCY = 32;
export const DEFAULT_MAX_DELETE = 256;
export const SYNC_ENV_FILE = 'sync.env';

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
 * Flags first, then the process environment, then `<envOutDir>/sync.env` (written by `cruddur env
 * generate sync`), then the other configuration layers (.env files, cruddur.json "env"). The gem's variables
 * are understood, including its misspelt SYNC_CLOUDFRONT_DISTRUBTION_ID, and the bare names the bootcamp's
 * Rakefile used (S3_BUCKET, CLOUDFRONT_DISTRUBTION_ID, BUILD_DIR, OUTPUT_CHANGESET_PATH, AUTO_APPROVE,
 * IGNORE_FILES) as fallbacks after every SYNC_ one. SYNC_IGNORE_FILES adds to --ignore.
 */
export function resolveSyncSettings(project: ProjectConfig, flags: SyncFlags): SyncSettings {
  const syncEnvPath = join(project.resolve(project.paths.envOutDir), SYNC_ENV_FILE);
  const syncEnv = existsSync(syncEnvPath) ? parseDotenv(readFileSync(syncEnvPath)) : {};
  const sources: Record<string, string> = {};
  const pick = (setting: string, flag: string | undefined, ...names: string[]): string | undefined => {
    if (flag !== undefined && flag !== '') {
      sources[setting] = 'flag';
      return flag;
    }
    const layers: Array<[string, (n: string) => string | undefined]> = [
      ['environment', (n) => (project.sourceOf(n) === 'process' ? project.env[n] : undefined)],
      [SYNC_ENV_FILE, (n) => syncEnv[n]],
      ['configuration', (n) => project.env[n]],
    ];
    for (const [source, read] of layers) {
      for (const name of names) {
        const value = read(name);
        if (value !== undefined && value !== '') {
          sources[setting] = `${name} (${source})`;
          return value;
        }
      }
    }
    return undefined;
  };

  // The gem's own names (the bootcamp's Rakefile passed S3_BUCKET, CLOUDFRONT_DISTRUBTION_ID, ...) are
  // fallbacks: a SYNC_ name set anywhere wins over a bare one.
  const pickGem = (setting: string, flag: string | undefined, names: string[], gemNames: string[]) => pick(setting, flag, ...names) ?? pick(setting, undefined, ...gemNames);
  const bucket = pickGem('bucket', flags.bucket, ['SYNC_S3_BUCKET'], ['S3_BUCKET']);
  if (!bucket) {
    throw usageError('No bucket to sync to', `pass --bucket, or set SYNC_S3_BUCKET (e.g. in ${SYNC_ENV_FILE} via \`cruddur env generate sync\`)`);
  }
  const autoApproveText = flags.autoApprove ? 'true' : pickGem('autoApprove', undefined, ['SYNC_AUTO_APPROVE'], ['AUTO_APPROVE']);
  const positive = (name: string, value: number | undefined, fallback: number, min = 1) => {
    const n = value ?? fallback;
    if (!Number.isInteger(n) || n < min) throw usageError(`--${name} must be a whole number >= ${min}`, `pass e.g. --${name} ${fallback}`);
    return n;
  };
  const changeset = pickGem('changesetPath', flags.changeset, ['SYNC_OUTPUT_CHANGESET_PATH'], ['OUTPUT_CHANGESET_PATH']) ?? project.paths.changeset;
  const ignoreFiles = splitList(pickGem('ignore', undefined, ['SYNC_IGNORE_FILES'], ['IGNORE_FILES']) ?? '');
  const bucketName = bucket.replace(/^s3:\/\//, '').replace(/\/+$/, '');
  return {
    bucket: bucketName,
    distributionId: pickGem('distributionId', flags.distributionId, ['SYNC_CLOUDFRONT_DISTRIBUTION_ID', 'SYNC_CLOUDFRONT_DISTRUBTION_ID'], ['CLOUDFRONT_DISTRUBTION_ID', 'CLOUDFRONT_DISTRIBUTION_ID']),
    buildDir: project.resolve(pickGem('buildDir', flags.buildDir, ['SYNC_BUILD_DIR'], ['BUILD_DIR']) ?? project.paths.buildDir),
    changesetPath: changeset === '-' || changeset === 'none' ? undefined : project.resolve(changeset),
    autoApprove: autoApproveText === undefined ? false : parseBoolean('SYNC_AUTO_APPROVE', autoApproveText),
    dryRun: flags.dryRun ?? false,
    delete: flags.delete ?? true,
    force: flags.force ?? false,
    maxDelete: positive('max-delete', flags.maxDelete, DEFAULT_MAX_DELETE, 0),
    concurrency: positive('concurrency', flags.concurrency, DEFAULT_CONCURRENCY),
    ignore: [...ignoreFiles, ...checkIgnoreGlobs(flags.ignore ?? [])],
    cacheRules: (flags.cacheControl ?? []).map(parseCacheRule),
    stripHtmlExtension: flags.stripHtmlExtension ?? false,
    maxInvalidationPaths: positive('max-invalidation-paths', flags.maxInvalidationPaths, DEFAULT_MAX_INVALIDATION_PATHS),
    wait: flags.wait ?? false,
    pendingPath: pendingPath(project.root, bucketName),
    sources,
  };
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
