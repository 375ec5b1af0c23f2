import type { RemoteObject } from '../aws/s3-store.js';
import { CruddurError } from '../core/errors.js';

export type SyncAction = 'create' | 'update' | 'delete' | 'no_change' | 'ignore';
export const SYNC_ACTIONS: readonly SyncAction[] = ['create', 'update', 'delete', 'no_change', 'ignore'];

/** A file of the build dir, as walked. */
export interface LocalFile {
  /** Path relative to the build dir, with `/` separators. */
  readonly file: string;
  /** The object key (differs from `file` only with --strip-html-extension). */
  readonly key: string;
  readonly absPath: string;
  readonly size: number;
}

/** A build file after hashing: the planner only ever sees these (ignored files are never hashed). */
export interface HashedFile extends LocalFile {
  /** MD5 of the bytes, hex. */
  readonly md5: string;
  /** `<md5>-<parts>` ETags recomputed for the part sizes the bucket's multipart object may have used. */
  readonly multipartEtags?: readonly string[];
  /**
   * Set when a route compresses the file: `md5` and `size` are then those of the compressed bytes, the
   * ones uploaded and compared with the bucket.
   */
  readonly encoding?: 'gzip' | 'br';
}

/**
 * The MD5 an object's metadata says its bytes have (MD5_METADATA), for objects whose ETag did not settle
 * the comparison; null when the object has none (written by another tool, or before cruddur stored it).
 */
export type StoredMd5 = ReadonlyMap<string, string | null>;

export interface PlanInput {
  files: readonly HashedFile[];
  /** Build files matching --ignore (not hashed). */
  ignored: readonly LocalFile[];
  remote: ReadonlyMap<string, RemoteObject>;
  stored?: StoredMd5;
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
  uploads: HashedFile[];
  /** Keys to delete, in key order. */
  deletes: string[];
  /** Unchanged files whose headers changed: a server-side copy each (no upload), in key order. */
  copies: HashedFile[];
}

export interface PlanOptions {
  /** Whether a bucket key is excluded by the ignore list; ignored keys are neither uploaded nor deleted. */
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

type Decision = { action: 'update' | 'no_change'; reason: string };

/** The ETag alone decides: no_change, update, or undefined when only the stored MD5 can tell. */
function compareEtag(local: HashedFile, remote: RemoteObject): Decision | undefined {
  if (local.size !== remote.size) return { action: 'update', reason: `size differs (local ${local.size} B, bucket ${remote.size} B)` };
  const etag = remote.etag.toLowerCase();
  if (etag === local.md5) return { action: 'no_change', reason: 'same size and MD5' };
  const parts = multipartParts(etag);
  if (parts !== undefined && (local.multipartEtags ?? []).some((c) => c.toLowerCase() === etag)) {
    return { action: 'no_change', reason: `same size and multipart ETag (${parts} parts)` };
  }
  return undefined;
}

/**
 * Keys whose comparison needs the object's stored MD5 (a HeadObject, unless the sync state already knows
 * it): same size, and an ETag that is neither the file's MD5 nor a multipart ETag it reproduces. On a
 * plain bucket that is only same-size edits; on an SSE-KMS bucket every object, until the state knows them.
 */
export function keysNeedingStoredMd5(files: readonly HashedFile[], remote: ReadonlyMap<string, RemoteObject>): string[] {
  const keys: string[] = [];
  for (const file of files) {
    const object = remote.get(file.key);
    if (object && compareEtag(file, object) === undefined) keys.push(file.key);
  }
  return keys;
}

function compare(local: HashedFile, remote: RemoteObject, stored: StoredMd5 | undefined): Decision {
  const byEtag = compareEtag(local, remote);
  if (byEtag) return byEtag;
  const md5 = stored?.get(local.key);
  if (typeof md5 === 'string') {
    return md5.toLowerCase() === local.md5
      ? { action: 'no_change', reason: 'same size and stored MD5 (the ETag is not the MD5)' }
      : { action: 'update', reason: 'content differs (stored MD5)' };
  }
  const parts = multipartParts(remote.etag);
  if (md5 === null) {
    return { action: 'update', reason: `${parts !== undefined ? `multipart ETag (${parts} parts) not reproduced` : 'ETag is not this MD5'} and no stored MD5 (uploaded once to store one)` };
  }
  if (parts !== undefined) return { action: 'update', reason: `content differs (multipart ETag, ${parts} parts)` };
  return MD5.test(remote.etag) ? { action: 'update', reason: 'content differs (MD5)' } : { action: 'update', reason: 'bucket ETag is not an MD5 (encrypted object?)' };
}

/**
 * The sync decision, pure: every build file and every bucket object gets exactly one action with a reason.
 * The inputs are read, never changed. The listing is a map, never merge-joined (s3rver, like some S3
 * clones, lists keys out of order).
 */
export function planSync(input: PlanInput, options: PlanOptions): Plan {
  const { remote } = input;
  const changeset: ChangesetEntry[] = [];
  const uploads: HashedFile[] = [];
  const deletes: string[] = [];
  const seen = new Map<string, string>();
  const claim = (file: LocalFile) => {
    const other = seen.get(file.key);
    if (other !== undefined) {
      throw new CruddurError(`Two build files map to the same key "${file.key}": ${other} and ${file.file}`, {
        suggestion: 'rename one of them, or drop --strip-html-extension',
        code: 'SYNC_KEY_CONFLICT',
      });
    }
    seen.set(file.key, file.file);
  };
  for (const file of input.ignored) {
    claim(file);
    changeset.push({ path: file.key, md5: remote.get(file.key)?.etag ?? '', action: 'ignore', size: file.size, reason: 'matches the ignore list' });
  }
  for (const file of input.files) {
    claim(file);
    const inBucket = remote.get(file.key);
    const decision = !inBucket
      ? { action: 'create' as const, reason: 'not in the bucket' }
      : options.force
        ? { action: 'update' as const, reason: 'forced (--force)' }
        : compare(file, inBucket, input.stored);
    changeset.push({ path: file.key, md5: file.md5, action: decision.action, size: file.size, reason: decision.reason });
    if (decision.action !== 'no_change') uploads.push(file);
  }
  for (const object of remote.values()) {
    if (seen.has(object.key)) continue;
    const base = { path: object.key, md5: object.etag, size: object.size };
    if (options.ignore(object.key)) {
      changeset.push({ ...base, action: 'ignore', reason: 'matches the ignore list (kept in the bucket)' });
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
  return { changeset, uploads, deletes, copies: [] };
}

export type ActionCounts = Record<SyncAction, number>;

export function countActions(changeset: readonly ChangesetEntry[]): ActionCounts {
  const counts: ActionCounts = { create: 0, update: 0, delete: 0, no_change: 0, ignore: 0 };
  for (const entry of changeset) counts[entry.action] += 1;
  return counts;
}
