import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { DELETE_BATCH } from '../aws/s3-store.js';
import { errorMessage } from '../core/errors.js';
import { onInterrupt } from '../core/interrupt.js';
import { contentMd5, SMALL_FILE } from './hash.js';
import { isHtml } from './headers.js';
import type { HashedFile, Plan } from './plan.js';
import { settleLimit } from '../core/pool.js';
import { headersResolver, type HeaderConfig, type ObjectHeaders } from './routes.js';
import { MD5_METADATA, type ObjectWriteSettings, type SyncStore } from './store.js';

export const MIB = 1024 * 1024;
/** Files from this size up go in 8 MiB parts: the AWS CLI's defaults, so the ETags of either tool compare; it also bounds memory to one part per upload in flight. */
export const MULTIPART_THRESHOLD = 8 * MIB;
export const PART_SIZE = 8 * MIB;

export type ApplyPhase = 'assets' | 'html' | 'headers' | 'deletes';

export interface ApplyProgress {
  phase: ApplyPhase;
  done: number;
  total: number;
}

export interface ApplyOptions {
  bucket: string;
  concurrency: number;
  /** Every input of the objects' headers (rules, routes, ACL, SSE, storage class). */
  headers: HeaderConfig;
  multipartThreshold?: number;
  partSize?: number;
  onProgress?: (progress: ApplyProgress) => void;
  /** Compressed bodies (gzip/brotli routes), by absPath; each is dropped once uploaded. Other files are read when uploaded. */
  bodies?: Map<string, Buffer>;
}

export interface ApplyResult {
  uploaded: string[];
  /** Keys whose headers were updated by a server-side copy. */
  copied: string[];
  deleted: string[];
  deleteBatches: number;
  failed: Array<{ key: string; message: string }>;
  /** Phases not run because an earlier one failed. */
  skippedPhases: ApplyPhase[];
  /** The ETag S3 gave each uploaded key (to remember which ETags are not the MD5). */
  etags: Record<string, string>;
}

/**
 * The apply order, pure: assets first, then HTML entry points (once every asset they reference is in
 * place), then deletes. Returns new arrays; the plan is not changed.
 */
export function applyOrder(plan: Plan): { assets: HashedFile[]; html: HashedFile[]; deletes: string[] } {
  return { assets: plan.uploads.filter((f) => !isHtml(f.file)), html: plan.uploads.filter((f) => isHtml(f.file)), deletes: [...plan.deletes] };
}

/**
 * Uploads then deletes, ordered so visitors never see a broken page: assets first, HTML entry
 * points once every asset is in place, deletes last. A failed phase stops the later ones; a re-run
 * plans only what is still missing.
 */
export async function applyPlan(plan: Plan, store: SyncStore, options: ApplyOptions): Promise<ApplyResult> {
  const result: ApplyResult = { uploaded: [], copied: [], deleted: [], deleteBatches: 0, failed: [], skippedPhases: [], etags: {} };
  const headersOf = headersResolver(options.headers);
  const { assets, html, deletes } = applyOrder(plan);
  const bodies = options.bodies ?? new Map<string, Buffer>();

  const uploadPhase = async (phase: ApplyPhase, files: HashedFile[]) => {
    let done = 0;
    const outcomes = await settleLimit(files, options.concurrency, async (file) => {
      result.etags[file.key] = await uploadFile(store, file, bodies, {
        bucket: options.bucket,
        headers: writeSettings(headersOf(file.file, file.key), file.md5),
        threshold: options.multipartThreshold ?? MULTIPART_THRESHOLD,
        partSize: options.partSize ?? PART_SIZE,
      });
      options.onProgress?.({ phase, done: ++done, total: files.length });
    });
    outcomes.forEach((outcome, i) => {
      const key = (files[i] as HashedFile).key;
      if (outcome.ok) result.uploaded.push(key);
      else result.failed.push({ key, message: errorMessage(outcome.error) });
    });
  };

  await uploadPhase('assets', assets);
  if (result.failed.length > 0) {
    result.skippedPhases.push('html', ...(plan.copies.length > 0 ? (['headers'] as const) : []), 'deletes');
    return result;
  }
  await uploadPhase('html', html);
  if (result.failed.length > 0) {
    result.skippedPhases.push(...(plan.copies.length > 0 ? (['headers'] as const) : []), 'deletes');
    return result;
  }
  if (plan.copies.length > 0) {
    let done = 0;
    const outcomes = await settleLimit(plan.copies, options.concurrency, async (file) => {
      result.etags[file.key] = await store.copyObject({ bucket: options.bucket, key: file.key, ...writeSettings(headersOf(file.file, file.key), file.md5) });
      options.onProgress?.({ phase: 'headers', done: ++done, total: plan.copies.length });
    });
    outcomes.forEach((outcome, i) => {
      const key = (plan.copies[i] as HashedFile).key;
      if (outcome.ok) result.copied.push(key);
      else result.failed.push({ key, message: errorMessage(outcome.error) });
    });
    if (result.failed.length > 0) {
      result.skippedPhases.push('deletes');
      return result;
    }
  }
  for (let i = 0; i < deletes.length; i += DELETE_BATCH) {
    const batch = deletes.slice(i, i + DELETE_BATCH);
    try {
      const outcome = await store.deleteObjects(options.bucket, batch);
      result.deleteBatches += 1;
      result.deleted.push(...outcome.deleted);
      result.failed.push(...outcome.failed);
    } catch (error) {
      result.failed.push(...batch.map((key) => ({ key, message: errorMessage(error) })));
    }
    options.onProgress?.({ phase: 'deletes', done: Math.min(i + DELETE_BATCH, deletes.length), total: deletes.length });
  }
  return result;
}

interface UploadSettings {
  bucket: string;
  headers: ObjectWriteSettings;
  threshold: number;
  partSize: number;
}

/** An object's headers as the store writes them, with its MD5 in the metadata (MD5_METADATA). */
export function writeSettings(h: ObjectHeaders, md5: string): ObjectWriteSettings {
  const { metadata, ...rest } = h;
  return { ...rest, metadata: { ...metadata, [MD5_METADATA]: md5 } };
}

/**
 * Uploads one file with its headers and its MD5 in the metadata; returns the ETag S3 gave it. A compressed
 * file's bytes are always in `bodies` (they are not the file's).
 */
async function uploadFile(store: SyncStore, file: HashedFile, bodies: Map<string, Buffer>, s: UploadSettings): Promise<string> {
  const kept = bodies.get(file.absPath);
  if (file.size < s.threshold) {
    // A Buffer, not a stream: s3rver and the SDK's checksum code both handle Buffers reliably.
    // Small files (most of a web build) are read synchronously: the four thread-pool round trips of an
    // asynchronous read (open, fstat, read, close) cost more CPU than the read itself, and on a 2-core
    // runner the uploads are CPU-bound (bench/RESULTS.md, 2026-11-30).
    const body = kept ?? (file.size < SMALL_FILE ? readFileSync(file.absPath) : await readFile(file.absPath));
    if (body.length !== file.size) throw new Error(`${file.file} changed since it was planned; run the sync again`);
    const etag = await store.putObject({
      bucket: s.bucket,
      key: file.key,
      body,
      contentMD5: contentMd5(file.md5),
      ...s.headers,
    });
    bodies.delete(file.absPath);
    return etag;
  }
  const uploadId = await store.createMultipartUpload({ bucket: s.bucket, key: file.key, ...s.headers });
  // Ctrl-C mid-upload: abort it, or S3 keeps (and bills) the parts until a lifecycle rule removes them.
  const forget = onInterrupt(() => store.abortMultipartUpload({ bucket: s.bucket, key: file.key, uploadId }));
  const handle = kept ? undefined : await open(file.absPath, 'r').catch((error: unknown) => {
    forget();
    throw error;
  });
  try {
    const parts: Array<{ partNumber: number; etag: string }> = [];
    // Parts go one after another: files run concurrently already, and this bounds memory to one part per file.
    for (let start = 0, partNumber = 1; start < file.size; start += s.partSize, partNumber++) {
      const length = Math.min(s.partSize, file.size - start);
      const body = kept ? kept.subarray(start, start + length) : Buffer.allocUnsafe(length);
      const bytesRead = handle ? (await handle.read(body, 0, body.length, start)).bytesRead : body.length;
      if (bytesRead !== body.length) throw new Error(`${file.file} changed since it was planned; run the sync again`);
      const md5 = createHash('md5').update(body).digest('base64');
      parts.push({ partNumber, etag: await store.uploadPart({ bucket: s.bucket, key: file.key, uploadId, partNumber, body, contentMD5: md5 }) });
    }
    return await store.completeMultipartUpload({ bucket: s.bucket, key: file.key, uploadId, parts });
  } catch (error) {
    await store.abortMultipartUpload({ bucket: s.bucket, key: file.key, uploadId });
    throw error;
  } finally {
    forget();
    await handle?.close();
  }
}
