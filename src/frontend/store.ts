import type { ObjectWriteSettings, S3MultipartStore, UploadPartInput } from '../aws/s3-store.js';

/**
 * User metadata carrying the MD5 (hex) of an object's bytes, set on every upload (`x-amz-meta-cruddur-md5`),
 * the way rclone keeps `md5chksum`: the ETag is not the MD5 under SSE-KMS, SSE-C or multipart uploads.
 */
export const MD5_METADATA = 'cruddur-md5';

export type { ObjectWriteSettings, UploadPartInput };

export interface SyncPutInput extends ObjectWriteSettings {
  bucket: string;
  key: string;
  body: Buffer;
  /** Base64 MD5 of the body; S3 rejects the upload if the bytes differ. */
  contentMD5?: string;
}

/** The adapter's calls the sync makes as they are (signatures and docs in src/aws/s3-store.ts). */
type AdapterCalls = Pick<
  S3MultipartStore,
  'listObjects' | 'getObjectText' | 'deleteObjects' | 'createMultipartUpload' | 'copyObject' | 'headFirstPart' | 'uploadPart' | 'completeMultipartUpload' | 'abortMultipartUpload'
>;

/**
 * The S3 calls the sync makes, nothing more: tests implement it in memory (test/frontend/memory-store.ts)
 * and against s3rver. ETags are returned without quotes. Throws a CruddurError with code AWS_NO_SUCH_BUCKET
 * from listObjects when the bucket does not exist.
 */
export interface SyncStore extends AdapterCalls {
  /** ETag and the stored MD5 metadata (undefined when the object lacks it), or undefined when there is no object. */
  headStoredMd5(bucket: string, key: string): Promise<{ etag: string; md5: string | undefined } | undefined>;
  /** Returns the new object's ETag. */
  putObject(input: SyncPutInput): Promise<string>;
}

/**
 * The sync's port over the one S3 adapter (src/aws/s3-store.ts): the same calls, with the stored MD5 read
 * from the `x-amz-meta-cruddur-md5` user metadata.
 */
export function syncStoreOf(s3: S3MultipartStore): SyncStore {
  return {
    listObjects: (bucket, prefix) => s3.listObjects(bucket, prefix),
    getObjectText: (bucket, key) => s3.getObjectText(bucket, key),
    headStoredMd5: async (bucket, key) => {
      const head = await s3.headMetadata(bucket, key, MD5_METADATA);
      return head && { etag: head.etag, md5: head.value };
    },
    putObject: (input) => s3.putObject({ ...input, contentLength: input.body.length }),
    deleteObjects: (bucket, keys) => s3.deleteObjects(bucket, keys),
    createMultipartUpload: (input) => s3.createMultipartUpload(input),
    copyObject: (input) => s3.copyObject(input),
    headFirstPart: (bucket, key) => s3.headFirstPart(bucket, key),
    uploadPart: (input) => s3.uploadPart(input),
    completeMultipartUpload: (input) => s3.completeMultipartUpload(input),
    abortMultipartUpload: (input) => s3.abortMultipartUpload(input),
  };
}

/**
 * The store seen from under a key prefix (`--prefix app/`): keys in and out are relative to it, the listing
 * only covers it, so the plan, the deletes, the sync state (`<prefix>.cruddur/sync-state.json`) and the
 * invalidation stay inside it.
 */
export function prefixedStore(store: SyncStore, prefix: string): SyncStore {
  if (!prefix) return store;
  const k = (key: string) => `${prefix}${key}`;
  return {
    listObjects: async (bucket) =>
      (await store.listObjects(bucket, prefix)).filter((o) => o.key.startsWith(prefix)).map((o) => ({ ...o, key: o.key.slice(prefix.length) })),
    getObjectText: (bucket, key) => store.getObjectText(bucket, k(key)),
    headStoredMd5: (bucket, key) => store.headStoredMd5(bucket, k(key)),
    headFirstPart: (bucket, key) => store.headFirstPart(bucket, k(key)),
    putObject: (input) => store.putObject({ ...input, key: k(input.key) }),
    copyObject: (input) => store.copyObject({ ...input, key: k(input.key) }),
    deleteObjects: async (bucket, keys) => {
      const out = await store.deleteObjects(bucket, keys.map(k));
      const strip = (key: string) => (key.startsWith(prefix) ? key.slice(prefix.length) : key);
      return { deleted: out.deleted.map(strip), failed: out.failed.map((f) => ({ ...f, key: strip(f.key) })) };
    },
    createMultipartUpload: (input) => store.createMultipartUpload({ ...input, key: k(input.key) }),
    uploadPart: (input) => store.uploadPart({ ...input, key: k(input.key) }),
    completeMultipartUpload: (input) => store.completeMultipartUpload({ ...input, key: k(input.key) }),
    abortMultipartUpload: (input) => store.abortMultipartUpload({ ...input, key: k(input.key) }),
  };
}
