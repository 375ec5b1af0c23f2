import { rm, stat } from 'node:fs/promises';
import picomatch from 'picomatch';
import type { RemoteObject, S3MultipartStore } from '../aws/s3-store.js';
import { CruddurError } from '../core/errors.js';
import { writeFilesAtomic } from '../core/fs.js';
import { count, type Logger } from '../core/output.js';
import type { Confirm } from '../core/prompt.js';
import { applyPlan, MULTIPART_THRESHOLD, PART_SIZE, type ApplyProgress, type ApplyResult } from './apply.js';
import type { CloudFront } from '../aws/cloudfront.js';
import { hashAllOffThread, multipartEtag } from './hash.js';
import { keyFor } from './headers.js';
import { invalidationPaths } from './invalidation.js';
import { countActions, multipartParts, partSizeCandidates, planSync, type ActionCounts, type ChangesetEntry, type LocalFile, type Plan } from './plan.js';
import { clearPending, readPending, unionKeys, writePending } from './pending.js';
import { mapLimit } from '../core/pool.js';
import type { SyncSettings } from './settings.js';
import { walkBuildDir } from './walk.js';

/** Hashing is disk + CPU work on a 2-core runner: more at once only adds contention. */
const HASH_CONCURRENCY = 4;
/** Small files' bytes kept from hashing for the upload (most builds fit: one read per file instead of two). */
const KEEP_BUDGET = 256 * 1024 * 1024;

export interface SyncPorts {
  /** Asked for once the local tree is being hashed, so loading the SDK overlaps the hashing. */
  store: () => Promise<S3MultipartStore>;
  /** Only asked for when a distribution is configured (the CloudFront SDK loads lazily). */
  cdn: () => Promise<CloudFront>;
  confirm: Confirm;
  logger: Logger;
  /** Shown before the approval question: the command prints the summary table here. */
  onPlan?: (plan: Plan, counts: ActionCounts) => void;
  onProgress?: (progress: ApplyProgress) => void;
  clock?: () => Date;
}

export interface InvalidationOutcome {
  status: 'created' | 'completed' | 'skipped' | 'not-needed' | 'failed';
  distributionId?: string;
  id?: string;
  paths: string[];
  reason?: string;
}

export interface SyncResult {
  bucket: string;
  buildDir: string;
  changesetPath: string | undefined;
  dryRun: boolean;
  applied: boolean;
  counts: ActionCounts;
  changeset: ChangesetEntry[];
  uploaded: string[];
  deleted: string[];
  deleteBatches: number;
  failed: ApplyResult['failed'];
  invalidation: InvalidationOutcome;
  skipped: Array<{ file: string; reason: string }>;
  /** Keys changed by an earlier sync that stopped before its invalidation, invalidated with this one. */
  resumed: string[];
}

async function checkBuildDir(buildDir: string): Promise<void> {
  const info = await stat(buildDir).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new CruddurError(`The build dir ${buildDir} ${info ? 'is a file, not a folder' : 'does not exist'}`, {
      suggestion: 'run `cruddur frontend static-build` first, or point --build-dir / SYNC_BUILD_DIR at the build output',
      code: 'SYNC_NO_BUILD_DIR',
    });
  }
}

async function hashFiles(files: LocalFile[], ignored: (f: LocalFile) => boolean): Promise<void> {
  await hashAllOffThread(files.filter((f) => !ignored(f)), { keepBudget: KEEP_BUDGET, concurrency: HASH_CONCURRENCY });
}

/** Only for files whose bucket copy was uploaded in parts: recompute that ETag with the plausible part sizes. */
async function hashMultipart(files: LocalFile[], remote: ReadonlyMap<string, RemoteObject>): Promise<void> {
  const candidates = files.filter((f) => f.md5 !== undefined && remote.get(f.key)?.size === f.size && multipartParts(remote.get(f.key)?.etag ?? '') !== undefined);
  await mapLimit(candidates, HASH_CONCURRENCY, async (file) => {
    const parts = multipartParts(remote.get(file.key)?.etag ?? '') ?? 0;
    const sizes = partSizeCandidates(file.size, parts, [PART_SIZE]);
    file.multipartEtags = await Promise.all(sizes.map((size) => multipartEtag(file.absPath, file.size, size)));
  });
}

/**
 * The `aws_s3_website_sync` flow, made safe: plan (content-compared), changeset file, approval,
 * ordered apply, one invalidation. Refuses before changing anything when the build is missing or
 * empty, the bucket or distribution does not exist, or the plan deletes more than --max-delete.
 */
export async function syncFrontend(settings: SyncSettings, ports: SyncPorts): Promise<SyncResult> {
  const { logger } = ports;
  await checkBuildDir(settings.buildDir);
  const walked = await walkBuildDir(settings.buildDir);
  for (const s of walked.skipped) logger.warn(`skipped ${s.file}: ${s.reason}`);
  if (walked.files.length === 0) {
    throw new CruddurError(`The build dir ${settings.buildDir} is empty; refusing to sync (it would delete the whole site)`, {
      suggestion: 'run `cruddur frontend static-build` and check that it writes into this folder',
      code: 'SYNC_EMPTY_BUILD',
    });
  }
  const isIgnored = settings.ignore.length > 0 ? picomatch(settings.ignore, { dot: true, basename: true }) : () => false;
  const local: LocalFile[] = walked.files.map((f) => ({ ...f, key: keyFor(f.file, { stripHtml: settings.stripHtmlExtension }) }));
  // Hashing starts first (on a worker thread for big trees) and overlaps the SDK load, the checks and the listing.
  const hashing = hashFiles(local, (f) => isIgnored(f.key) || isIgnored(f.file));
  hashing.catch(() => undefined);
  const store = await ports.store();
  const cdn = settings.distributionId ? await ports.cdn() : undefined;
  // No HeadBucket first: the listing answers NoSuchBucket itself, one round trip sooner.
  const listing = store.listObjects(settings.bucket).catch((error: unknown) => {
    if ((error as { code?: string }).code !== 'AWS_NO_SUCH_BUCKET') throw error;
    throw new CruddurError(`The bucket ${settings.bucket} does not exist (or is not visible with these credentials)`, {
      suggestion: 'check SYNC_S3_BUCKET / --bucket and --region, or create the bucket first',
      code: 'SYNC_NO_BUCKET',
      cause: error,
    });
  });
  listing.catch(() => undefined);
  const exists = await (cdn && settings.distributionId ? cdn.getDistribution(settings.distributionId).then((d) => d !== undefined) : Promise.resolve(true));
  if (!exists) {
    throw new CruddurError(`The CloudFront distribution ${settings.distributionId} does not exist`, {
      suggestion: 'check SYNC_CLOUDFRONT_DISTRIBUTION_ID / --distribution-id (aws cloudfront list-distributions)',
      code: 'SYNC_NO_DISTRIBUTION',
    });
  }
  if (!settings.distributionId) logger.info('No CloudFront distribution configured: the sync will not invalidate any cache.');
  const [objects] = await Promise.all([listing, hashing]);
  const remote = new Map(objects.map((o) => [o.key, o]));
  await hashMultipart(local, remote);
  const plan = planSync(local, remote, { ignore: isIgnored, delete: settings.delete, force: settings.force });
  const counts = countActions(plan.changeset);
  const uploading = new Set(plan.uploads);
  for (const file of local) if (!uploading.has(file)) file.body = undefined;

  // A refused plan changes nothing, not even the changeset file; --dry-run still writes it, then refuses.
  if (!settings.dryRun) refuseTooManyDeletes(plan.deletes.length, settings.maxDelete, counts);
  if (settings.changesetPath) {
    await writeFilesAtomic([{ path: settings.changesetPath, content: `${JSON.stringify(plan.changeset, null, 2)}\n` }]);
  }
  ports.onPlan?.(plan, counts);
  refuseTooManyDeletes(plan.deletes.length, settings.maxDelete, counts);

  const result: SyncResult = {
    bucket: settings.bucket,
    buildDir: settings.buildDir,
    changesetPath: settings.changesetPath,
    dryRun: settings.dryRun,
    applied: false,
    counts,
    changeset: plan.changeset,
    uploaded: [],
    deleted: [],
    deleteBatches: 0,
    failed: [],
    invalidation: { status: 'not-needed', paths: [], ...(settings.distributionId ? { distributionId: settings.distributionId } : {}) },
    skipped: walked.skipped,
    resumed: [],
  };
  const distributionId = settings.distributionId;
  const carried = distributionId ? await readPending(settings.pendingPath, settings.bucket, distributionId) : [];
  if (carried.length > 0) {
    result.resumed = carried;
    logger.info(`An earlier sync to s3://${settings.bucket} stopped before invalidating ${carried.length} changed path${carried.length > 1 ? 's' : ''}; this run invalidates them too.`);
  }
  if (settings.dryRun) return result;
  if (plan.uploads.length === 0 && plan.deletes.length === 0 && carried.length === 0) {
    if (!settings.distributionId) result.invalidation = { status: 'skipped', paths: [], reason: 'no distribution configured' };
    return result;
  }

  if (plan.uploads.length === 0 && plan.deletes.length === 0) {
    // Nothing to upload, only the earlier run's invalidation to finish: not destructive, no question.
    result.invalidation = await invalidate(settings, cdn, carried, ports);
    return finish(result, { uploaded: [], deleted: [], deleteBatches: 0, failed: [], skippedPhases: [] }, settings);
  }
  const question = `Upload ${plan.uploads.length} and delete ${count(plan.deletes.length, 'object')} in s3://${settings.bucket}?`;
  const approved = settings.autoApprove || (await ports.confirm(question).catch(async (error: unknown) => {
    await discardChangeset(settings.changesetPath);
    throw error;
  }));
  if (!approved) {
    await discardChangeset(settings.changesetPath);
    throw new CruddurError('Sync not approved; nothing was changed', { suggestion: 'run it again and answer "y", or pass --auto-approve', code: 'SYNC_NOT_APPROVED' });
  }
  if (distributionId) {
    // Durable before the first write: whatever happens to this process, the next run knows what to invalidate.
    const keys = unionKeys(carried, plan.uploads.map((f) => f.key), plan.deletes);
    await writePending(settings.pendingPath, { version: 1, bucket: settings.bucket, distributionId, keys, since: (ports.clock?.() ?? new Date()).toISOString() });
  }
  const applied = await applyPlan(plan, store, {
    bucket: settings.bucket,
    concurrency: settings.concurrency,
    cacheRules: settings.cacheRules,
    multipartThreshold: MULTIPART_THRESHOLD,
    partSize: PART_SIZE,
    onProgress: ports.onProgress,
  });
  Object.assign(result, { applied: true, uploaded: applied.uploaded, deleted: applied.deleted, deleteBatches: applied.deleteBatches, failed: applied.failed });

  // Invalidate whatever did change, even after a partial failure: a re-run plans those files as
  // no_change and would never invalidate them otherwise.
  result.invalidation = await invalidate(settings, cdn, unionKeys(carried, applied.uploaded, applied.deleted), ports);
  return finish(result, applied, settings);
}

/** Forgets the owed invalidation once CloudFront has it; fails the run when an upload, delete or the invalidation failed. */
async function finish(result: SyncResult, applied: ApplyResult, settings: SyncSettings): Promise<SyncResult> {
  if (['created', 'completed', 'not-needed'].includes(result.invalidation.status)) await clearPending(settings.pendingPath);
  if (applied.failed.length > 0 || result.invalidation.status === 'failed') {
    const first = applied.failed[0];
    const what = applied.failed.length > 0 ? `${applied.failed.length} object${applied.failed.length > 1 ? 's' : ''} failed (first: ${first?.key}: ${first?.message})` : `the invalidation failed: ${result.invalidation.reason}`;
    throw new CruddurError(`Sync incomplete: ${what}${applied.skippedPhases.length > 0 ? `; not run: ${applied.skippedPhases.join(', ')}` : ''}`, {
      suggestion: 'fix the cause and run the sync again: it picks up where this one stopped',
      code: 'SYNC_FAILED',
      details: result,
    });
  }
  return result;
}

function refuseTooManyDeletes(deletes: number, maxDelete: number, counts: ActionCounts): void {
  if (deletes <= maxDelete) return;
  throw new CruddurError(`The plan deletes ${count(deletes, 'object')}, more than --max-delete ${maxDelete}; nothing was changed`, {
    suggestion: `check the build dir and bucket (--dry-run writes the changeset), then pass --max-delete ${deletes} (or --no-delete) if that is intended`,
    code: 'SYNC_TOO_MANY_DELETES',
    details: { counts },
  });
}

/** A sync that was not approved leaves no changeset behind (it describes a plan nobody applied). */
async function discardChangeset(path: string | undefined): Promise<void> {
  if (path) await rm(path, { force: true });
}

async function invalidate(settings: SyncSettings, cdn: CloudFront | undefined, changed: string[], ports: SyncPorts): Promise<InvalidationOutcome> {
  const paths = invalidationPaths(changed, settings.maxInvalidationPaths);
  if (!settings.distributionId || !cdn) return { status: 'skipped', paths, reason: 'no distribution configured' };
  const distributionId = settings.distributionId;
  if (paths.length === 0) return { status: 'not-needed', distributionId, paths };
  try {
    const reference = `cruddur-${(ports.clock?.() ?? new Date()).toISOString()}`;
    const { id } = await cdn.createInvalidation(distributionId, paths, reference);
    ports.logger.info(`Invalidation ${id} created on ${distributionId} for ${paths.length > 5 ? `${paths.length} paths` : paths.join(' ')}`);
    if (!settings.wait) return { status: 'created', distributionId, id, paths };
    ports.logger.info(`Waiting for invalidation ${id} to complete...`);
    await cdn.waitForInvalidation(distributionId, id, 30 * 60);
    return { status: 'completed', distributionId, id, paths };
  } catch (error) {
    return { status: 'failed', distributionId, paths, reason: (error as Error).message };
  }
}
