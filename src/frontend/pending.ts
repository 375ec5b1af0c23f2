import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The invalidation an earlier cruddur (before the sync state moved into the bucket, state.ts) left in the
 * checkout: still read, so a run killed under that version and re-run from the same checkout is covered,
 * and removed once CloudFront accepted the invalidation. Nothing writes it any more.
 */
export interface PendingInvalidation {
  version: 1;
  bucket: string;
  distributionId: string;
  keys: string[];
  since: string;
}

/** `<root>/.cruddur/sync-pending-<bucket>.json` (bucket names are [a-z0-9.-], safe as file names). */
export function pendingPath(root: string, bucket: string): string {
  return join(root, '.cruddur', `sync-pending-${bucket.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
}

/** The keys owed from an earlier run to the same bucket and distribution; [] when none (or unreadable). */
export function carriedKeys(record: unknown, bucket: string, distributionId: string): string[] {
  const r = record as Partial<PendingInvalidation> | undefined;
  if (!r || r.version !== 1 || r.bucket !== bucket || r.distributionId !== distributionId || !Array.isArray(r.keys)) return [];
  return r.keys.filter((k): k is string => typeof k === 'string');
}

/** Sorted, without duplicates. */
export function unionKeys(...lists: ReadonlyArray<readonly string[]>): string[] {
  return [...new Set(lists.flat())].sort();
}

export async function readPending(path: string, bucket: string, distributionId: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return [];
  }
  try {
    return carriedKeys(JSON.parse(text), bucket, distributionId);
  } catch {
    return [];
  }
}

export async function clearPending(path: string): Promise<void> {
  await rm(path, { force: true });
}
