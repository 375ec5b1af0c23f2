import { createHash } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { DELETE_BATCH, type S3MultipartStore } from '../aws/s3-store.js';
import { errorMessage } from '../core/errors.js';
import { onInterrupt } from '../core/interrupt.js';
import { contentMd5 } from './hash.js';
import { cacheControlResolver, contentTypeFor, isHtml, type CacheRule } from './headers.js';
import type { LocalFile, Plan } from './plan.js';
import { settleLimit } from '../core/pool.js';

export const MIB = 1024 * 1024;
/** Files from this size up go in 8 MiB parts: the AWS CLI's defaults, so the ETags of either tool compare; it also bounds memory to one part per upload in flight. */
export const MULTIPART_THRESHOLD = 8 * MIB;
export const PART_SIZE = 8 * MIB;

export type ApplyPhase = 'assets' | 'html' | 'deletes';

export interface ApplyProgress {
  phase: ApplyPhase;
  done: number;
  total: number;
}

export interface ApplyOptions {
  bucket: string;
  concurrency: number;
  cacheRules: readonly CacheRule[];
  multipartThreshold?: number;
  partSize?: number;
  onProgress?: (progress: ApplyProgress) => void;
}

export interface ApplyResult {
  uploaded: string[];
  deleted: string[];
  deleteBatches: number;
  failed: Array<{ key: string; message: string }>;
  /** Phases not run because an earlier one failed. */
  skippedPhases: ApplyPhase[];
}

/**
 * Uploads then deletes, ordered so visitors never see a broken page: assets first, HTML entry
 * points once every asset is in place, deletes last. A failed phase stops the later ones; a re-run
 * plans only what is still missing.
 */
export async function applyPlan(plan: Plan, store: S3MultipartStore, options: ApplyOptions): Promise<ApplyResult> {
  const result: ApplyResult = { uploaded: [], deleted: [], deleteBatches: 0, failed: [], skippedPhases: [] };
  const cacheControl = cacheControlResolver(options.cacheRules);
  const assets = plan.uploads.filter((f) => !isHtml(f.file));
  const html = plan.uploads.filter((f) => isHtml(f.file));

  const uploadPhase = async (phase: ApplyPhase, files: LocalFile[]) => {
    let done = 0;
    const outcomes = await settleLimit(files, options.concurrency, async (file) => {
      await uploadFile(store, file, {
        bucket: options.bucket,
        contentType: contentTypeFor(file.file),
        cacheControl: cacheControl(file.file, file.key),
        threshold: options.multipartThreshold ?? MULTIPART_THRESHOLD,
        partSize: options.partSize ?? PART_SIZE,
      });
      options.onProgress?.({ phase, done: ++done, total: files.length });
    });
    outcomes.forEach((outcome, i) => {
      const key = (files[i] as LocalFile).key;
      if (outcome.ok) result.uploaded.push(key);
      else result.failed.push({ key, message: errorMessage(outcome.error) });
    });
  };

  await uploadPhase('assets', assets);
  if (result.failed.length > 0) {
    result.skippedPhases.push('html', 'deletes');
    return result;
  }
  await uploadPhase('html', html);
  if (result.failed.length > 0) {
    result.skippedPhases.push('deletes');
    return result;
  }
  for (let i = 0; i < plan.deletes.length; i += DELETE_BATCH) {
    const batch = plan.deletes.slice(i, i + DELETE_BATCH);
    try {
      const outcome = await store.deleteObjects(options.bucket, batch);
      result.deleteBatches += 1;
      result.deleted.push(...outcome.deleted);
      result.failed.push(...outcome.failed);
    } catch (error) {
      result.failed.push(...batch.map((key) => ({ key, message: errorMessage(error) })));
    }
    options.onProgress?.({ phase: 'deletes', done: Math.min(i + DELETE_BATCH, plan.deletes.length), total: plan.deletes.length });
  }
  return result;
}

interface UploadSettings {
  bucket: string;
  contentType: string;
  cacheControl: string | undefined;
  threshold: number;
  partSize: number;
}

async function uploadFile(store: S3MultipartStore, file: LocalFile, s: UploadSettings): Promise<void> {
  if (file.size < s.threshold) {
    // A Buffer, not a stream: s3rver and the SDK's checksum code both handle Buffers reliably.
    const body = file.body ?? (await readFile(file.absPath));
    if (body.length !== file.size) throw new Error(`${file.file} changed since it was planned; run the sync again`);
    await store.putObject({
      bucket: s.bucket,
      key: file.key,
      body,
      contentLength: body.length,
      contentType: s.contentType,
      cacheControl: s.cacheControl,
      ...(file.md5 ? { contentMD5: contentMd5(file.md5) } : {}),
    });
    file.body = undefined;
    return;
  }
  const uploadId = await store.createMultipartUpload({ bucket: s.bucket, key: file.key, contentType: s.contentType, cacheControl: s.cacheControl });
  // Ctrl-C mid-upload: abort it, or S3 keeps (and bills) the parts until a lifecycle rule removes them.
  const forget = onInterrupt(() => store.abortMultipartUpload({ bucket: s.bucket, key: file.key, uploadId }));
  const handle = await open(file.absPath, 'r').catch((error: unknown) => {
    forget();
    throw error;
  });
  try {
    const parts: Array<{ partNumber: number; etag: string }> = [];
    // Parts go one after another: files run concurrently already, and this bounds memory to one part per file.
    for (let start = 0, partNumber = 1; start < file.size; start += s.partSize, partNumber++) {
      const body = Buffer.allocUnsafe(Math.min(s.partSize, file.size - start));
      const { bytesRead } = await handle.read(body, 0, body.length, start);
      if (bytesRead !== body.length) throw new Error(`${file.file} changed since it was planned; run the sync again`);
      const md5 = createHash('md5').update(body).digest('base64');
      parts.push({ partNumber, etag: await store.uploadPart({ bucket: s.bucket, key: file.key, uploadId, partNumber, body, contentMD5: md5 }) });
    }
    await store.completeMultipartUpload({ bucket: s.bucket, key: file.key, uploadId, parts });
  } catch (error) {
    await store.abortMultipartUpload({ bucket: s.bucket, key: file.key, uploadId });
    throw error;
  } finally {
    forget();
    await handle.close();
  }
}
