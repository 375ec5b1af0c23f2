import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFilesAtomic } from '../core/fs.js';

/**
 * The invalidation a sync still owes. Written (fsynced) before the first upload and removed once
 * CloudFront accepted the invalidation, so a sync killed in between (SIGKILL, a lost runner) leaves the
 * changed keys behind: the next run plans those files as no_change, but still invalidates them.
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

export async function writePending(path: string, record: PendingInvalidation): Promise<void> {
  await writeFilesAtomic([{ path, content: `${JSON.stringify(record, null, 2)}\n` }]);
}

export async function clearPending(path: string): Promise<void> {
  await rm(path, { force: true });
}
