/**
 * The sync's own state, kept in the bucket next to the site (docs/frontend.md, "Where the sync keeps its
 * state"): one JSON object at STATE_KEY that the planner never uploads, deletes or invalidates.
 * - `owed`: keys a run changed (or was about to change) and CloudFront has not yet accepted an invalidation
 *   for. Written before the first upload, so a run killed at any point leaves them for the next run, from
 *   any checkout.
 * - `lock`: the run applying right now; a second run refuses while it is alive (see lockStatus).
 * - `hashes`: key -> [ETag, MD5] for objects whose ETag is not the MD5 of their bytes (SSE-KMS, SSE-C,
 *   multipart), learned from uploads and HeadObject, so an unchanged run needs no HeadObject per object.
 * - `objectSettings`: the HeaderConfig (rules, routes, ACL, SSE, storage class) the last run wrote objects
 *   with, when it is not the default; a run with another one copies the objects whose headers differ
 *   (CopyObject, no upload) without a HeadObject per object. Absent: the defaults.
 * - `unsettledSettings`: other HeaderConfigs that a run which did not write every object it planned (a
 *   failed upload or copy, a killed process) may have left on some objects. Recorded before the first write,
 *   so a crash is covered too. Every later run compares each file's headers under all of them (and
 *   `objectSettings`) with its own, copying those that may differ, until one run writes every object it
 *   planned; then only `objectSettings` is kept.
 * The object only exists while something is owed, a run holds the lock, or hashes are worth keeping: a
 * plain bucket with nothing owed has none, and the listing that plans the sync already says so (no extra
 * request).
 */
import { emptyHeaderConfig, headerConfigFingerprint, parseHeaderConfig, type HeaderConfig } from './routes.js';

export const STATE_KEY = '.cruddur/sync-state.json';
export const STATE_VERSION = 2;
/** A lock whose heartbeat is older than this belongs to a run that is gone (killed, lost runner). */
export const LOCK_STALE_MS = 60_000;
/** How often a running sync renews its lock (3 renewals fit in LOCK_STALE_MS). */
export const LOCK_HEARTBEAT_MS = 20_000;

export interface SyncLock {
  /** A random id per run. */
  owner: string;
  host: string;
  pid: number;
  started: string;
  heartbeat: string;
}

export interface SyncState {
  version: typeof STATE_VERSION;
  /** The distribution the owed keys are owed to. */
  distributionId?: string;
  owed: string[];
  lock?: SyncLock;
  hashes: Record<string, [etag: string, md5: string]>;
  objectSettings?: HeaderConfig;
  unsettledSettings?: HeaderConfig[];
}

export const emptyState = (): SyncState => ({ version: STATE_VERSION, owed: [], hashes: {} });

/** Parses the state object; anything unreadable is an empty state with `unreadable` set (never fatal). */
export function parseState(text: string | undefined): SyncState & { unreadable?: boolean } {
  if (text === undefined) return emptyState();
  try {
    const raw = JSON.parse(text) as Partial<SyncState>;
    if (raw.version !== STATE_VERSION) return { ...emptyState(), unreadable: true };
    const owed = Array.isArray(raw.owed) ? raw.owed.filter((k): k is string => typeof k === 'string') : [];
    const hashes: SyncState['hashes'] = {};
    for (const [key, value] of Object.entries(raw.hashes ?? {})) {
      if (Array.isArray(value) && typeof value[0] === 'string' && typeof value[1] === 'string') hashes[key] = [value[0], value[1]];
    }
    const lock = raw.lock && typeof raw.lock.owner === 'string' && typeof raw.lock.heartbeat === 'string' ? raw.lock : undefined;
    const objectSettings = raw.objectSettings === undefined ? undefined : parseHeaderConfig(raw.objectSettings);
    const unsettledSettings = Array.isArray(raw.unsettledSettings) ? raw.unsettledSettings.map(parseHeaderConfig).filter((c): c is HeaderConfig => c !== undefined) : [];
    return {
      version: STATE_VERSION,
      ...(raw.distributionId ? { distributionId: raw.distributionId } : {}),
      owed,
      hashes,
      ...(lock ? { lock } : {}),
      ...(objectSettings ? { objectSettings } : {}),
      ...(unsettledSettings.length > 0 ? { unsettledSettings } : {}),
    };
  } catch {
    return { ...emptyState(), unreadable: true };
  }
}

export function serializeState(state: SyncState): string {
  return `${JSON.stringify(state)}\n`;
}

/** Whether the state holds nothing worth an object in the bucket. */
export const stateIsEmpty = (state: SyncState) => state.owed.length === 0 && !state.lock && Object.keys(state.hashes).length === 0 && !state.objectSettings && !state.unsettledSettings?.length;

/** The objectSettings to keep: none for the default HeaderConfig (so a plain default site keeps no state object). */
export function objectSettingsToKeep(config: HeaderConfig): HeaderConfig | undefined {
  return headerConfigFingerprint(config) === headerConfigFingerprint(emptyHeaderConfig()) ? undefined : config;
}

/**
 * The header settings to keep while a run with `current` applies (and after it, unless it wrote every object
 * it planned): the settled ones as they were, and `current` added to the unsettled ones (deduplicated,
 * without any equal to the settled ones). Pure.
 */
export function unsettledWhileApplying(state: Pick<SyncState, 'objectSettings' | 'unsettledSettings'>, current: HeaderConfig): Pick<SyncState, 'objectSettings' | 'unsettledSettings'> {
  const settled = headerConfigFingerprint(state.objectSettings ?? emptyHeaderConfig());
  const seen = new Set([settled]);
  const unsettled: HeaderConfig[] = [];
  for (const config of [...(state.unsettledSettings ?? []), current]) {
    const fp = headerConfigFingerprint(config);
    if (seen.has(fp)) continue;
    seen.add(fp);
    unsettled.push(config);
  }
  return { ...(state.objectSettings ? { objectSettings: state.objectSettings } : {}), ...(unsettled.length > 0 ? { unsettledSettings: unsettled } : {}) };
}

export type LockStatus = { status: 'free' } | { status: 'stale'; lock: SyncLock; why: string } | { status: 'held'; lock: SyncLock };

/**
 * Whether another run holds the bucket. Pure: `now` is the local clock, `isAlive` answers for a pid on this
 * host. A lock is stale when its heartbeat is older than LOCK_STALE_MS, or when it was taken on this host by
 * a process that no longer exists (a killed run, re-run on the same machine, need not wait).
 */
export function lockStatus(lock: SyncLock | undefined, now: Date, self: { host: string; isAlive: (pid: number) => boolean }): LockStatus {
  if (!lock) return { status: 'free' };
  const age = now.getTime() - Date.parse(lock.heartbeat);
  if (!(age < LOCK_STALE_MS)) return { status: 'stale', lock, why: `its last heartbeat was ${Math.round(age / 1000)} s ago` };
  if (lock.host === self.host && !self.isAlive(lock.pid)) return { status: 'stale', lock, why: `process ${lock.pid} on this host is gone` };
  return { status: 'held', lock };
}

/** `process.kill(pid, 0)` semantics: EPERM means it exists under another user. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
