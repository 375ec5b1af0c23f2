import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/output.js';
import { isTooManyInvalidations, type Cdn } from './cdn.js';
import { encodeSegment } from '../aws/cloudfront.js';
import { invalidationPaths, MAX_WILDCARDS } from './invalidation.js';

/** CloudFront's quotas (Developer Guide, "Quotas on invalidations"): paths a request, file paths and wildcard paths in progress. */
export const MAX_PATHS_PER_BATCH = 3000;
export const MAX_FILE_PATHS_IN_PROGRESS = 3000;
export const MAX_WILDCARDS_IN_PROGRESS = MAX_WILDCARDS;
/** How often in-progress invalidations are polled while waiting for the quota (the SDK waiter's longest delay). */
export const QUOTA_POLL_MS = 20_000;

export interface InvalidationOutcome {
  status: 'created' | 'completed' | 'skipped' | 'not-needed' | 'failed';
  distributionId?: string;
  id?: string;
  paths: string[];
  reason?: string;
}

export interface InvalidateOptions {
  distributionId: string | undefined;
  maxPaths: number;
  /** Key prefix of the site ('' or ending in '/'): paths, wildcards and `/*` stay under it. */
  prefix: string;
  wait: boolean;
  /** How long CloudFront's in-progress quota is waited out before giving up (ms). */
  timeoutMs: number;
  logger: Logger;
  clock: () => Date;
  sleep: (ms: number) => Promise<void>;
  pollMs?: number;
}

const isWildcard = (p: string) => p.endsWith('*');

/** The invalidation paths of relative keys under `prefix`: each path, wildcard and `/*` moved below it. */
export function pathsUnder(keys: readonly string[], maxPaths: number, prefix: string): string[] {
  const paths = invalidationPaths(keys, maxPaths);
  const head = prefixPath(prefix);
  return head ? paths.map((p) => `${head}${p}`) : paths;
}

/** The encoded path of a key prefix without its trailing `/` ('' for none). */
const prefixPath = (prefix: string) => (prefix ? `/${prefix.split('/').filter(Boolean).map(encodeSegment).join('/')}` : '');

/** What the distribution has in progress, counted the way CloudFront's quotas count it. */
export async function inProgressUsage(cdn: Cdn, distributionId: string): Promise<{ invalidations: number; files: number; wildcards: number }> {
  const running = (await cdn.listInvalidations(distributionId)).filter((i) => i.status === 'InProgress');
  const details = await Promise.all(running.map((i) => cdn.getInvalidation(distributionId, i.id)));
  const live = details.filter((d) => d.status === 'InProgress');
  const paths = live.flatMap((d) => d.paths ?? []);
  return { invalidations: live.length, files: paths.filter((p) => !isWildcard(p)).length, wildcards: paths.filter(isWildcard).length };
}

const tooMany = isTooManyInvalidations;
/** CloudFront's answer to paths it will never accept (retrying the same batch cannot succeed). */
const refusedPaths = (error: unknown) => /InvalidArgument|invalid invalidation paths/i.test(`${(error as Error).message} ${((error as { cause?: { name?: string } }).cause?.name) ?? ''}`);

/**
 * Invalidates the changed keys within CloudFront's quotas: batches of at most MAX_PATHS_PER_BATCH paths.
 * On TooManyInvalidationsInProgress it reads what is in progress (ListInvalidations, GetInvalidation) and
 * either sends the same keys as fewer wildcard paths, when that is cheaper (fewer paths: CloudFront bills
 * per path) and fits the wildcard quota, or waits, showing progress, for in-progress invalidations to
 * complete and retries, up to `timeoutMs`; then it fails and the caller keeps the keys owed. When
 * CloudFront refuses the paths themselves (InvalidArgument: e.g. a path an earlier cruddur owed in a form
 * CloudFront rejects), it sends the prefix's `/*` instead, which covers them all.
 */
export async function invalidateChanged(cdn: Cdn | undefined, changed: readonly string[], o: InvalidateOptions): Promise<InvalidationOutcome> {
  const paths = pathsUnder(changed, Math.min(o.maxPaths, MAX_PATHS_PER_BATCH), o.prefix);
  if (!o.distributionId || !cdn) return { status: 'skipped', paths, reason: 'no distribution configured' };
  const distributionId = o.distributionId;
  if (paths.length === 0) return { status: 'not-needed', distributionId, paths };
  const reference = `cruddur-${o.clock().toISOString()}`;
  const deadline = o.clock().getTime() + o.timeoutMs;
  const all = `${prefixPath(o.prefix)}/*`;
  const sent: string[] = [];
  const ids: string[] = [];
  let attempt = 0;

  const create = async (batch: string[]) => {
    const { id } = await cdn.createInvalidation(distributionId, batch, `${reference}-${++attempt}`);
    ids.push(id);
    sent.push(...batch);
    o.logger.info(`Invalidation ${id} created on ${distributionId} for ${batch.length > 5 ? `${batch.length} paths` : batch.join(' ')}`);
  };

  /** One batch, waiting out the in-progress quota; returns false when the time ran out. */
  const createWithinQuota = async (batch: string[]): Promise<boolean> => {
    for (;;) {
      try {
        await create(batch);
        return true;
      } catch (error) {
        if (!tooMany(error)) throw error;
      }
      const usage = await inProgressUsage(cdn, distributionId);
      const wildcardBudget = MAX_WILDCARDS_IN_PROGRESS - usage.wildcards;
      const fileBudget = MAX_FILE_PATHS_IN_PROGRESS - usage.files;
      const room = Math.min(wildcardBudget, fileBudget);
      if (room >= 1 && batch.length > 1) {
        const wild = pathsUnder(changed, room, o.prefix);
        const fits = wild.filter(isWildcard).length <= wildcardBudget && wild.filter((p) => !isWildcard(p)).length <= fileBudget;
        if (fits && wild.length < batch.length) {
          o.logger.info(`CloudFront's in-progress quota is full for ${batch.length} paths; sending ${wild.length} wildcard path${wild.length > 1 ? 's' : ''} instead (${wild.slice(0, 3).join(' ')}${wild.length > 3 ? ' ...' : ''}).`);
          try {
            await create(wild);
            return true;
          } catch (error) {
            if (!tooMany(error)) throw error;
          }
        }
      }
      const now = o.clock().getTime();
      if (now >= deadline) return false;
      o.logger.info(
        `Waiting for CloudFront: ${usage.invalidations} invalidation${usage.invalidations === 1 ? '' : 's'} in progress (${usage.files} file paths of ${MAX_FILE_PATHS_IN_PROGRESS}, ${usage.wildcards} wildcards of ${MAX_WILDCARDS_IN_PROGRESS}); ${batch.length} paths to send; ${Math.ceil((deadline - now) / 1000)} s left of --invalidation-timeout.`,
      );
      await o.sleep(Math.min(o.pollMs ?? QUOTA_POLL_MS, Math.max(0, deadline - now)));
    }
  };

  try {
    for (let i = 0; i < paths.length; i += MAX_PATHS_PER_BATCH) {
      const batch = paths.slice(i, i + MAX_PATHS_PER_BATCH);
      let ok: boolean;
      try {
        ok = await createWithinQuota(batch);
      } catch (error) {
        if (!refusedPaths(error) || (batch.length === 1 && batch[0] === all)) throw error;
        o.logger.warn(`CloudFront refused the invalidation paths (${errorMessage(error)}); invalidating ${all} instead, which covers them all.`);
        ok = await createWithinQuota([all]);
        if (ok) break;
      }
      if (!ok) {
        return {
          status: 'failed',
          distributionId,
          paths,
          ...(ids.length > 0 ? { id: ids.join(',') } : {}),
          reason: `CloudFront's quota of invalidations in progress did not free up within --invalidation-timeout (${Math.round(o.timeoutMs / 1000)} s)`,
        };
      }
    }
  } catch (error) {
    return { status: 'failed', distributionId, paths, reason: errorMessage(error) };
  }
  const id = ids.join(',');
  if (!o.wait) return { status: 'created', distributionId, id, paths: sent };
  try {
    o.logger.info(`Waiting for invalidation ${id} to complete...`);
    for (const one of ids) await cdn.waitForInvalidation(distributionId, one, 30 * 60);
    return { status: 'completed', distributionId, id, paths: sent };
  } catch (error) {
    return { status: 'failed', distributionId, id, paths: sent, reason: errorMessage(error) };
  }
}
