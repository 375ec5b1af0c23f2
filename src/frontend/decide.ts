import type { RemoteObject } from '../aws/s3-store.js';
import { countActions, planSync, type ActionCounts, type HashedFile, type LocalFile, type Plan } from './plan.js';
import { unionKeys } from './pending.js';
import { emptyHeaderConfig, headerConfigFingerprint, headersDiffer, headersResolver, type HeaderConfig } from './routes.js';
import { lockStatus, STATE_VERSION, unsettledWhileApplying, type LockStatus, type SyncLock, type SyncState } from './state.js';

/** The parts of Prepared the decision reads (all read-only). */
export interface DecideInput {
  files: readonly HashedFile[];
  ignored: readonly LocalFile[];
  remote: ReadonlyMap<string, RemoteObject>;
  stored: ReadonlyMap<string, string | null>;
  state: SyncState;
  learned: Readonly<Record<string, [string, string]>>;
  legacyOwed: readonly string[];
  isIgnored: (path: string) => boolean;
}

export interface DecideOptions {
  delete: boolean;
  force: boolean;
  distributionId: string | undefined;
  now: Date;
  host: string;
  isAlive: (pid: number) => boolean;
  /** This run's header settings (rules, routes, ACL, SSE, storage class). */
  headers: HeaderConfig;
}

export interface Decision {
  plan: Plan;
  counts: ActionCounts;
  /** Keys an earlier run changed and never got invalidated (state object, or an earlier cruddur's local file). */
  carried: string[];
  /** Owed keys kept for another distribution than this run's: left alone, with a warning. */
  otherDistribution?: string;
  lock: LockStatus;
  /** Recorded as owed before the first write: carried plus every key the plan changes. */
  owedBeforeApply: string[];
  /** The [ETag, MD5] pairs worth keeping, before this run's uploads. */
  hashes: Record<string, [string, string]>;
  /**
   * Whether this run's header settings differ from the ones the bucket's objects may have been written
   * with (the settled ones, or those of an earlier run that stopped part-way).
   */
  headersChanged: boolean;
  /** The header settings to record while applying, and after a run that did not write every object it planned. */
  headerSettingsUnsettled: Pick<SyncState, 'objectSettings' | 'unsettledSettings'>;
}

/**
 * The whole decision, pure: the plan (actions and reasons), what is owed to CloudFront, whether another
 * run holds the bucket, and the hash cache to keep. Reads its inputs, changes none of them.
 */
export function decideSync(input: DecideInput, options: DecideOptions): Decision {
  const plan = planSync({ files: input.files, ignored: input.ignored, remote: input.remote, stored: input.stored }, { ignore: input.isIgnored, delete: options.delete, force: options.force });
  const settled = input.state.objectSettings ?? emptyHeaderConfig();
  const unsettled = input.state.unsettledSettings ?? [];
  const current = headerConfigFingerprint(options.headers);
  const headersChanged = [settled, ...unsettled].some((c) => headerConfigFingerprint(c) !== current);
  if (headersChanged) planCopies(plan, input.files, settled, unsettled, options.headers);
  const sameDistribution = !input.state.distributionId || input.state.distributionId === options.distributionId;
  const carried = options.distributionId ? unionKeys(sameDistribution ? input.state.owed : [], input.legacyOwed) : [];
  const hashes: Record<string, [string, string]> = {};
  for (const [key, pair] of Object.entries({ ...input.state.hashes, ...input.learned })) {
    if (input.remote.get(key)?.etag === pair[0]) hashes[key] = [pair[0], pair[1]];
  }
  return {
    plan,
    counts: countActions(plan.changeset),
    carried,
    ...(!sameDistribution && input.state.owed.length > 0 ? { otherDistribution: input.state.distributionId } : {}),
    lock: lockStatus(input.state.lock, options.now, { host: options.host, isAlive: options.isAlive }),
    owedBeforeApply: unionKeys(carried, plan.uploads.map((f) => f.key), plan.deletes, plan.copies.map((f) => f.key)),
    hashes,
    headersChanged,
    headerSettingsUnsettled: unsettledWhileApplying(input.state, options.headers),
  };
}

/**
 * Turns the no_change files whose headers may differ from this run's into server-side copies (action
 * update, the reason says so): those whose headers under the settings the bucket was written with
 * (`settled`), or under those of an earlier run that stopped part-way (`unsettled`: it may have written
 * some objects), are not this run's. Only called when the settings differ, so an unchanged run resolves no
 * headers at all.
 */
function planCopies(plan: Plan, files: readonly HashedFile[], settled: HeaderConfig, unsettled: readonly HeaderConfig[], after: HeaderConfig): void {
  const settledHeaders = headersResolver(settled);
  const unsettledHeaders = unsettled.map(headersResolver);
  const newHeaders = headersResolver(after);
  const entries = new Map(plan.changeset.map((e) => [e.path, e]));
  for (const file of files) {
    const entry = entries.get(file.key);
    if (entry?.action !== 'no_change') continue;
    const b = newHeaders(file.file, file.key);
    // Settings that compress differently would have written other bytes: the MD5 comparison already says
    // the object was not written with them (or planned the upload).
    const differs = (resolve: typeof newHeaders) => {
      const a = resolve(file.file, file.key);
      return a.contentEncoding === b.contentEncoding && headersDiffer(a, b);
    };
    if (differs(settledHeaders)) entry.reason = 'headers changed (server-side copy, no upload)';
    else if (unsettledHeaders.some(differs)) entry.reason = 'headers may differ: an earlier run stopped part-way (server-side copy, no upload)';
    else continue;
    entry.action = 'update';
    plan.copies.push(file);
  }
  plan.copies.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
}

/** The state to keep while applying: the lock, and everything the run may change recorded as owed. */
export function stateWhileApplying(decision: Decision, distributionId: string | undefined, lock: SyncLock): SyncState {
  return { version: STATE_VERSION, ...(distributionId ? { distributionId } : {}), owed: distributionId ? decision.owedBeforeApply : [], lock, hashes: decision.hashes, ...decision.headerSettingsUnsettled };
}

/**
 * The state after the run: no lock; owed keys only when CloudFront did not accept the invalidation; hashes
 * updated with the ETags of this run's uploads (kept only where the ETag is not the MD5) and without the deleted keys.
 */
export function stateAfter(
  decision: Decision,
  outcome: { uploaded: readonly string[]; deleted: readonly string[]; etags: Readonly<Record<string, string>>; invalidated: boolean },
  distributionId: string | undefined,
  md5Of: (key: string) => string | undefined,
  headerSettings: Pick<SyncState, 'objectSettings' | 'unsettledSettings'>,
): SyncState {
  const hashes = { ...decision.hashes };
  for (const key of [...outcome.uploaded, ...outcome.deleted]) delete hashes[key];
  for (const key of outcome.uploaded) {
    const etag = outcome.etags[key];
    const md5 = md5Of(key);
    if (etag && md5 && etag.toLowerCase() !== md5) hashes[key] = [etag, md5];
  }
  const owed = distributionId && !outcome.invalidated ? unionKeys(decision.carried, outcome.uploaded, outcome.deleted) : [];
  return { version: STATE_VERSION, ...(distributionId && owed.length > 0 ? { distributionId } : {}), owed, hashes, ...headerSettings };
}
