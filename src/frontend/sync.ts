import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { CruddurError } from '../core/errors.js';
import { writeFilesAtomic } from '../core/fs.js';
import { count, type Logger } from '../core/output.js';
import type { Confirm } from '../core/prompt.js';
import { applyPlan, MULTIPART_THRESHOLD, PART_SIZE, type ApplyProgress, type ApplyResult } from './apply.js';
import type { Cdn } from './cdn.js';
import { decideSync, stateAfter, stateWhileApplying } from './decide.js';
import { invalidateChanged, type InvalidationOutcome } from './invalidate.js';
import type { ActionCounts, ChangesetEntry, Plan } from './plan.js';
import { clearPending, unionKeys } from './pending.js';
import { prepareSync } from './prepare.js';
import type { SyncSettings } from './settings.js';
import { LOCK_HEARTBEAT_MS, LOCK_STALE_MS, objectSettingsToKeep, pidAlive, serializeState, stateIsEmpty, STATE_KEY, type SyncLock, type SyncState } from './state.js';
import type { SyncStore } from './store.js';

export interface SyncPorts {
  /** Asked for first, so the listing is in flight while the build is walked and hashed. */
  store: () => Promise<SyncStore>;
  /** Only asked for when a distribution is configured (the CloudFront SDK loads lazily). */
  cdn: () => Promise<Cdn>;
  confirm: Confirm;
  logger: Logger;
  /** Shown before the approval question: the command prints the summary table here. */
  onPlan?: (plan: Plan, counts: ActionCounts) => void;
  onProgress?: (progress: ApplyProgress) => void;
  clock?: () => Date;
  /** This machine's name and a pid check, for the lock (tests pretend to be another runner). */
  host?: string;
  isAlive?: (pid: number) => boolean;
  /** How often the lock is renewed while applying (LOCK_HEARTBEAT_MS). */
  heartbeatMs?: number;
  /** Waits between polls of CloudFront's in-progress invalidations (tests advance a fake clock instead). */
  sleep?: (ms: number) => Promise<void>;
}

export type { InvalidationOutcome } from './invalidate.js';

export interface SyncResult {
  bucket: string;
  buildDir: string;
  changesetPath: string | undefined;
  dryRun: boolean;
  applied: boolean;
  counts: ActionCounts;
  changeset: ChangesetEntry[];
  uploaded: string[];
  /** Keys whose headers were updated by a server-side copy. */
  copied: string[];
  deleted: string[];
  deleteBatches: number;
  failed: ApplyResult['failed'];
  invalidation: InvalidationOutcome;
  skipped: Array<{ file: string; reason: string }>;
  /** Keys changed by an earlier sync that stopped before its invalidation, invalidated with this one. */
  resumed: string[];
}

/**
 * The `aws_s3_website_sync` flow, made safe, in three steps: prepare (walk, hash, list, read the sync
 * state), decide (pure: plan, order, what is owed), apply (uploads, deletes, one invalidation). The
 * changeset file is written and the approval asked between decide and apply. Refuses before changing
 * anything when the build is missing or empty, the bucket or distribution does not exist, another sync
 * holds the bucket, or the plan deletes more than --max-delete.
 */
export async function syncFrontend(settings: SyncSettings, ports: SyncPorts): Promise<SyncResult> {
  const { logger } = ports;
  const clock = ports.clock ?? (() => new Date());
  const prepared = await prepareSync(settings, ports);
  const { store, cdn } = prepared;
  const decision = decideSync(prepared, {
    delete: settings.delete,
    force: settings.force,
    distributionId: settings.distributionId,
    now: clock(),
    host: ports.host ?? hostname(),
    isAlive: ports.isAlive ?? pidAlive,
    headers: settings.headers,
  });
  const { plan, counts, carried } = decision;

  // A refused plan changes nothing, not even the changeset file; --dry-run still writes it, then refuses.
  if (!settings.dryRun) refuseTooManyDeletes(plan.deletes.length, settings.maxDelete, counts);
  if (settings.changesetPath) {
    await writeFilesAtomic([{ path: settings.changesetPath, content: `${JSON.stringify(plan.changeset, null, 2)}\n` }]);
  }
  ports.onPlan?.(plan, counts);
  refuseTooManyDeletes(plan.deletes.length, settings.maxDelete, counts);
  if (decision.otherDistribution) logger.warn(`The sync state owes an invalidation to distribution ${decision.otherDistribution}, not ${settings.distributionId}; left alone.`);

  const result: SyncResult = {
    bucket: settings.bucket,
    buildDir: settings.buildDir,
    changesetPath: settings.changesetPath,
    dryRun: settings.dryRun,
    applied: false,
    counts,
    changeset: plan.changeset,
    uploaded: [],
    copied: [],
    deleted: [],
    deleteBatches: 0,
    failed: [],
    invalidation: { status: 'not-needed', paths: [], ...(settings.distributionId ? { distributionId: settings.distributionId } : {}) },
    skipped: [...prepared.skipped],
    resumed: [],
  };
  if (carried.length > 0) {
    result.resumed = carried;
    logger.info(`An earlier sync to s3://${settings.bucket} stopped before invalidating ${count(carried.length, 'changed path')}; this run invalidates them too.`);
  }
  const { lock } = decision;
  if (lock.status === 'held') {
    const message = `Another sync (${lock.lock.host} pid ${lock.lock.pid}, started ${lock.lock.started}) holds s3://${settings.bucket}`;
    if (settings.dryRun) logger.warn(`${message}; this dry run may be out of date once it finishes.`);
    else {
      throw new CruddurError(`${message}; refusing to deploy over it (nothing was changed)`, {
        suggestion: `wait for it to finish and run the sync again (a lock whose run is gone is taken over after ${LOCK_STALE_MS / 1000} s)`,
        code: 'SYNC_LOCKED',
      });
    }
  }
  if (lock.status === 'stale') logger.info(`Taking over the lock of an earlier sync (${lock.lock.host} pid ${lock.lock.pid}): ${lock.why}.`);
  if (settings.dryRun) return result;

  const md5Of = new Map(prepared.files.map((f) => [f.key, f.md5]));
  const saveState = async (state: SyncState) => {
    if (stateIsEmpty(state)) {
      if (prepared.stateExists || savedOnce) await store.deleteObjects(settings.bucket, [STATE_KEY]);
    } else {
      await store.putObject({ bucket: settings.bucket, key: STATE_KEY, body: Buffer.from(serializeState(state)), contentType: 'application/json', cacheControl: 'no-store' });
    }
    savedOnce = true;
  };
  let savedOnce = false;
  const finishRun = async (outcome: ApplyResult, invalidated: boolean) => {
    // This run's header settings are settled once it wrote every object it planned; until then the next
    // runs also compare against them (some objects may carry them, others not).
    const written = new Set([...outcome.uploaded, ...outcome.copied]);
    const wroteAll = [...plan.uploads, ...plan.copies].every((f) => written.has(f.key));
    const objectSettings = objectSettingsToKeep(settings.headers);
    const headerSettings = wroteAll ? (objectSettings ? { objectSettings } : {}) : decision.headerSettingsUnsettled;
    const changed = { ...outcome, uploaded: [...outcome.uploaded, ...outcome.copied] };
    await saveState(stateAfter(decision, { ...changed, invalidated }, settings.distributionId, (k) => md5Of.get(k), headerSettings));
    if (invalidated) await clearPending(settings.pendingPath);
  };
  const invalidate = (changed: string[]) =>
    invalidateChanged(cdn, changed, {
      distributionId: settings.distributionId,
      maxPaths: settings.maxInvalidationPaths,
      prefix: settings.prefix,
      wait: settings.wait,
      timeoutMs: settings.invalidationTimeoutMs,
      logger,
      clock,
      sleep: ports.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    });

  if (plan.uploads.length === 0 && plan.deletes.length === 0 && plan.copies.length === 0) {
    const learnedSomething = Object.keys(prepared.learned).length > 0;
    if (carried.length === 0) {
      if (!settings.distributionId) result.invalidation = { status: 'skipped', paths: [], reason: 'no distribution configured' };
      // An SSE-KMS bucket: keep what HeadObject said, so the next run needs none. A stale lock is cleared.
      // New header settings that change no object are recorded, so the next run need not compare again.
      if (learnedSomething || lock.status === 'stale' || decision.headersChanged) await finishRun(noApply(), true);
      return result;
    }
    // Nothing to upload, only the earlier run's invalidation to finish: not destructive, no question.
    result.invalidation = await invalidate(carried);
    const invalidated = isAccepted(result.invalidation);
    await finishRun(noApply(), invalidated);
    return finish(result, noApply(), `s3://${settings.bucket}/${settings.prefix}${STATE_KEY}`);
  }
  const copies = plan.copies.length > 0 ? `, update the headers of ${plan.copies.length}` : '';
  const question = `Upload ${plan.uploads.length}${copies} and delete ${count(plan.deletes.length, 'object')} in s3://${settings.bucket}?`;
  const approved = settings.autoApprove || (await ports.confirm(question).catch(async (error: unknown) => {
    await discardChangeset(settings.changesetPath);
    throw error;
  }));
  if (!approved) {
    await discardChangeset(settings.changesetPath);
    throw new CruddurError('Sync not approved; nothing was changed', { suggestion: 'run it again and answer "y", or pass --auto-approve', code: 'SYNC_NOT_APPROVED' });
  }
  // Durable in the bucket before the first write: whatever happens to this process, the next run, from any
  // checkout, knows what to invalidate, and a second run started meanwhile refuses.
  const now = clock().toISOString();
  const myLock: SyncLock = { owner: randomUUID(), host: ports.host ?? hostname(), pid: process.pid, started: now, heartbeat: now };
  await saveState(stateWhileApplying(decision, settings.distributionId, myLock));
  const heartbeat = startHeartbeat(() => saveState(stateWhileApplying(decision, settings.distributionId, { ...myLock, heartbeat: clock().toISOString() })), ports.heartbeatMs ?? LOCK_HEARTBEAT_MS);
  let applied: ApplyResult;
  try {
    applied = await applyPlan(plan, store, {
      bucket: settings.bucket,
      concurrency: settings.concurrency,
      headers: settings.headers,
      multipartThreshold: MULTIPART_THRESHOLD,
      partSize: PART_SIZE,
      onProgress: ports.onProgress,
      bodies: prepared.bodies,
    });
  } finally {
    await heartbeat.stop();
  }
  Object.assign(result, { applied: true, uploaded: applied.uploaded, copied: applied.copied, deleted: applied.deleted, deleteBatches: applied.deleteBatches, failed: applied.failed });

  // Invalidate whatever did change, even after a partial failure: a re-run plans those files as
  // no_change and would never invalidate them otherwise.
  result.invalidation = await invalidate(unionKeys(carried, applied.uploaded, applied.copied, applied.deleted));
  await finishRun(applied, isAccepted(result.invalidation));
  return finish(result, applied, `s3://${settings.bucket}/${settings.prefix}${STATE_KEY}`);
}

const noApply = (): ApplyResult => ({ uploaded: [], copied: [], deleted: [], deleteBatches: 0, failed: [], skippedPhases: [], etags: {} });
const isAccepted = (inv: InvalidationOutcome) => ['created', 'completed', 'not-needed'].includes(inv.status);

/** Renews the lock every `ms` while the apply runs; one renewal at a time, errors ignored (the apply decides the outcome). */
function startHeartbeat(renew: () => Promise<void>, ms: number): { stop: () => Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(renew).catch(() => undefined);
  }, ms);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}

/** Fails the run when an upload, delete or the invalidation failed. */
function finish(result: SyncResult, applied: ApplyResult, stateLocation: string): SyncResult {
  if (applied.failed.length > 0 || result.invalidation.status === 'failed') {
    const first = applied.failed[0];
    const what = applied.failed.length > 0 ? `${applied.failed.length} object${applied.failed.length > 1 ? 's' : ''} failed (first: ${first?.key}: ${first?.message})` : `the invalidation failed: ${result.invalidation.reason}`;
    throw new CruddurError(`Sync incomplete: ${what}${applied.skippedPhases.length > 0 ? `; not run: ${applied.skippedPhases.join(', ')}` : ''}`, {
      suggestion:
        applied.failed.length === 0
          ? `run the sync again, from any checkout: the paths are kept as owed in ${stateLocation} and it invalidates them (--invalidation-timeout waits longer)`
          : 'fix the cause and run the sync again: it picks up where this one stopped',
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
