import type { RemoteObject } from '../aws/s3-store.js';
import { CruddurError } from '../core/errors.js';

export type SyncAction = 'create' | 'update' | 'delete' | 'no_change' | 'ignore';
export const SYNC_ACTIONS: readonly SyncAction[] = ['create', 'update', 'delete', 'no_change', 'ignore'];

/** A file of the build dir; `md5` is absent only for ignored files (they are never hashed). */
export interface LocalFile {
  /** Path relative to the build dir, with `/` separators. */
  file: string;
  /** The object key (differs from `file` only with --strip-html-extension). */
  key: string;
  absPath: string;
  size: number;
  md5?: string;
  /** `<md5>-<parts>` ETags recomputed for the part sizes a remote multipart object may have used. */
  multipartEtags?: string[];
  /** The bytes read while hashing (small files, within a memory budget), reused by the upload. */
  body?: Buffer;
}

/** One line of the changeset, the gem's `{path, md5, action}` plus size and the reason for the action. */
export interface ChangesetEntry {
  path: string;
  md5: string;
  action: SyncAction;
  size: number;
  reason: string;
}

export interface Plan {
  changeset: ChangesetEntry[];
  /** Files to upload (create + update), in key order. */
  uploads: LocalFile[];
  /** Keys to delete, in key order. */
  deletes: string[];
}

export interface PlanOptions {
  /** Whether a key (or build path) is excluded by --ignore; ignored keys are neither uploaded nor deleted. */
  ignore: (path: string) => boolean;
  /** Delete bucket objects that are not in the build (--delete, default true). */
  delete: boolean;
  /** Upload every file whatever the bucket holds (--force). */
  force: boolean;
}

const MD5 = /^[0-9a-f]{32}$/i;
const MULTIPART = /^([0-9a-f]{32})-(\d+)$/i;

/** The part count of a multipart ETag (`<md5>-<parts>`), or undefined for a plain one. */
export function multipartParts(etag: string): number | undefined {
  const m = MULTIPART.exec(etag);
  return m ? Number(m[2]) : undefined;
}

const MIB = 1024 * 1024;

/**
 * Part sizes that could have produced `parts` parts for `size` bytes: the usual tool defaults (the
 * AWS CLI's 8 MiB, the SDK's 5 MiB, 16 MiB), `preferred` ones (ours), and the smallest whole MiB that fits.
 */
export function partSizeCandidates(size: number, parts: number, preferred: readonly number[] = []): number[] {
  const fits = (p: number) => p > 0 && Math.ceil(size / p) === parts;
  const smallestMib = Math.ceil(size / parts / MIB) * MIB;
  const all = [...preferred, 8 * MIB, 5 * MIB, 16 * MIB, smallestMib];
  return [...new Set(all)].filter(fits);
}

function compare(local: LocalFile & { md5: string }, remote: RemoteObject): { action: 'update' | 'no_change'; reason: string } {
  if (local.size !== remote.size) return { action: 'update', reason: `size differs (local ${local.size} B, bucket ${remote.size} B)` };
  const etag = remote.etag.toLowerCase();
  if (MD5.test(etag)) {
    return etag === local.md5 ? { action: 'no_change', reason: 'same size and MD5' } : { action: 'update', reason: 'content differs (MD5)' };
  }
  const parts = multipartParts(etag);
  if (parts !== undefined) {
    const candidates = local.multipartEtags ?? [];
    if (candidates.some((c) => c.toLowerCase() === etag)) return { action: 'no_change', reason: `same size and multipart ETag (${parts} parts)` };
    if (candidates.length > 0) return { action: 'update', reason: `content differs (multipart ETag, ${parts} parts)` };
    return { action: 'update', reason: 'multipart ETag with an unknown part size' };
  }
  return { action: 'update', reason: 'bucket ETag is not an MD5 (encrypted object?)' };
}

/**
 * The sync decision: every build file and every bucket object gets exactly one action with a reason.
 * The listing is a map, never merge-joined (s3rver, like some S3 clones, lists keys out of order).
 */
export function planSync(local: readonly LocalFile[], remote: ReadonlyMap<string, RemoteObject>, options: PlanOptions): Plan {
  const changeset: ChangesetEntry[] = [];
  const uploads: LocalFile[] = [];
  const deletes: string[] = [];
  const seen = new Map<string, string>();
  for (const file of local) {
    const other = seen.get(file.key);
    if (other !== undefined) {
      throw new CruddurError(`Two build files map to the same key "${file.key}": ${other} and ${file.file}`, {
        suggestion: 'rename one of them, or drop --strip-html-extension',
        code: 'SYNC_KEY_CONFLICT',
      });
    }
    seen.set(file.key, file.file);
    const inBucket = remote.get(file.key);
    if (options.ignore(file.key) || options.ignore(file.file)) {
      changeset.push({ path: file.key, md5: file.md5 ?? inBucket?.etag ?? '', action: 'ignore', size: file.size, reason: 'matches --ignore' });
      continue;
    }
    if (file.md5 === undefined) throw new Error(`planSync: ${file.file} was not hashed`);
    const hashed = file as LocalFile & { md5: string };
    const decision = !inBucket
      ? { action: 'create' as const, reason: 'not in the bucket' }
      : options.force
        ? { action: 'update' as const, reason: 'forced (--force)' }
        : compare(hashed, inBucket);
    changeset.push({ path: file.key, md5: hashed.md5, action: decision.action, size: file.size, reason: decision.reason });
    if (decision.action !== 'no_change') uploads.push(file);
  }
  for (const object of remote.values()) {
    if (seen.has(object.key)) continue;
    const base = { path: object.key, md5: object.etag, size: object.size };
    if (options.ignore(object.key)) {
      changeset.push({ ...base, action: 'ignore', reason: 'matches --ignore (kept in the bucket)' });
    } else if (!options.delete) {
      changeset.push({ ...base, action: 'ignore', reason: 'not in the build (kept: --no-delete)' });
    } else {
      changeset.push({ ...base, action: 'delete', reason: 'not in the build' });
      deletes.push(object.key);
    }
  }
  const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  changeset.sort(byPath);
  uploads.sort((a, b) => byPath({ path: a.key }, { path: b.key }));
  deletes.sort();
  return { changeset, uploads, deletes };
}

export type ActionCounts = Record<SyncAction, number>;

export function countActions(changeset: readonly ChangesetEntry[]): ActionCounts {
  const counts: ActionCounts = { create: 0, update: 0, delete: 0, no_change: 0, ignore: 0 };
  for (const entry of changeset) counts[entry.action] += 1;
  return counts;
}
