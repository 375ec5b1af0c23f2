import type { RemoteObject, S3Store } from '../aws/s3-store.js';
import { systemClock, type Clock } from '../core/clock.js';
import { CruddurError } from '../core/errors.js';

// The one clock type lives in core; re-exported for the avatar modules that already import it from here.
export { systemClock, type Clock };

export interface Backoff {
  initialMs: number;
  factor: number;
  maxMs: number;
}

/** A Lambda with sharp takes ~1-3 s cold: poll quickly first, then back off to one request every 5 s. */
export const WAIT_BACKOFF: Backoff = { initialMs: 250, factor: 1.6, maxMs: 5000 };

/** The pause before poll number `attempt` (0-based), capped at `maxMs`. */
export function backoffDelay(attempt: number, backoff: Backoff = WAIT_BACKOFF): number {
  return Math.min(backoff.maxMs, Math.round(backoff.initialMs * backoff.factor ** attempt));
}

/**
 * Whether `current` is a thumbnail made after `before` was seen: an avatar left from an earlier
 * upload must not end the wait. Both times come from S3's clock, never this machine's.
 */
export function isNewObject(before: RemoteObject | undefined, current: RemoteObject | undefined): boolean {
  if (!current) return false;
  if (!before) return true;
  if (current.etag !== before.etag) return true;
  return Boolean(current.lastModified && before.lastModified && current.lastModified.getTime() > before.lastModified.getTime());
}

export interface WaitOptions {
  bucket: string;
  key: string;
  timeoutMs: number;
  /** The object as it was before the upload (undefined when absent). */
  before?: RemoteObject;
  clock?: Clock;
  backoff?: Backoff;
  onPoll?(attempt: number, elapsedMs: number): void;
}

export interface WaitResult {
  object: RemoteObject;
  attempts: number;
  waitedMs: number;
}

/** Polls HeadObject with backoff until a new object appears, or fails with a clear message at the timeout. */
export async function waitForNewObject(store: S3Store, options: WaitOptions): Promise<WaitResult> {
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  const deadline = started + options.timeoutMs;
  for (let attempt = 0; ; attempt++) {
    const current = await store.headObject(options.bucket, options.key);
    options.onPoll?.(attempt + 1, clock.now() - started);
    if (isNewObject(options.before, current) && current) {
      return { object: current, attempts: attempt + 1, waitedMs: clock.now() - started };
    }
    const left = deadline - clock.now();
    if (left <= 0) break;
    await clock.sleep(Math.min(backoffDelay(attempt, options.backoff), left));
  }
  const seconds = Math.round(options.timeoutMs / 100) / 10;
  throw new CruddurError(`Timed out after ${seconds} s waiting for s3://${options.bucket}/${options.key} to appear`, {
    suggestion:
      'check that the thumbnail Lambda is deployed and triggered by the uploads bucket (its CloudWatch logs say why it failed), ' +
      'or wait longer with --timeout; locally, `cruddur local up` runs the thumbnail worker',
    code: 'AVATAR_WAIT_TIMEOUT',
  });
}
