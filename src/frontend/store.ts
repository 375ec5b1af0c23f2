import type { DeleteResult, RemoteObject, S3MultipartStore, UploadPartInput } from '../aws/s3-store.js';

/**
 * User metadata carrying the MD5 (hex) of an object's bytes, set on every upload (`x-amz-meta-cruddur-md5`),
 * the way rclone keeps `md5chksum`: the ETag is not the MD5 under SSE-KMS, SSE-C or multipart uploads.
 */
export const MD5_METADATA = 'cruddur-md5';

export interface SyncPutInput {
  bucket: string;
  key: string;
  body: Buffer;
  contentType?: string;
  cacheControl?: string;
  /** Base64 MD5 of the body; S3 rejects the upload if the bytes differ. */
  contentMD5?: string;
  metadata?: Record<string, string>;
}

export type { UploadPartInput };

/**
 * The S3 calls the sync makes, nothing more: tests implement it in memory (test/frontend/memory-store.ts)
 * and against s3rver. ETags are returned without quotes.
 */
export interface SyncStore {
  /** Every object of the bucket (all pages). Throws a CruddurError with code AWS_NO_SUCH_BUCKET when it does not exist. */
  listObjects(bucket: string): Promise<RemoteObject[]>;
  /** An object's body as UTF-8, or undefined when there is none. */
  getObjectText(bucket: string, key: string): Promise<string | undefined>;
  /** ETag and the stored MD5 metadata (undefined when the object lacks it), or undefined when there is no object. */
  headStoredMd5(bucket: string, key: string): Promise<{ etag: string; md5: string | undefined } | undefined>;
  /** Returns the new object's ETag. */
  putObject(input: SyncPutInput): Promise<string>;
  /** Batches of at most 1,000 keys. */
  deleteObjects(bucket: string, keys: string[]): Promise<DeleteResult>;
  createMultipartUpload(input: { bucket: string; key: string; contentType?: string; cacheControl?: string; metadata?: Record<string, string> }): Promise<string>;
  /** Returns the part's ETag. */
  uploadPart(input: UploadPartInput): Promise<string>;
  /** Returns the object's ETag. */
  completeMultipartUpload(input: { bucket: string; key: string; uploadId: string; parts: Array<{ partNumber: number; etag: string }> }): Promise<string>;
  abortMultipartUpload(input: { bucket: string; key: string; uploadId: string }): Promise<void>;
}

/**
 * The sync's port over the one S3 adapter (src/aws/s3-store.ts): the same calls, with the stored MD5 read
 * from the `x-amz-meta-cruddur-md5` user metadata.
 */
export function syncStoreOf(s3: S3MultipartStore): SyncStore {
  return {
    listObjects: (bucket) => s3.listObjects(bucket),
    getObjectText: (bucket, key) => s3.getObjectText(bucket, key),
    headStoredMd5: async (bucket, key) => {
      const head = await s3.headMetadata(bucket, key, MD5_METADATA);
      return head && { etag: head.etag, md5: head.value };
    },
    putObject: (input) => s3.putObject(input),
    deleteObjects: (bucket, keys) => s3.deleteObjects(bucket, keys),
    createMultipartUpload: (input) => s3.createMultipartUpload(input),
    uploadPart: (input) => s3.uploadPart(input),
    completeMultipartUpload: (input) => s3.completeMultipartUpload(input),
    abortMultipartUpload: (input) => s3.abortMultipartUpload(input),
  };
}
