import type { S3Client } from '@aws-sdk/client-s3';
import { fromAwsError } from '../aws/errors.js';
import { createS3Store, type DeleteResult, type RemoteObject } from '../aws/s3-store.js';

/**
 * User metadata carrying the MD5 (hex) of an object's bytes, set on every upload (`x-amz-meta-cruddur-md5`),
 * the way rclone keeps `md5chksum`: the ETag is not the MD5 under SSE-KMS, SSE-C or multipart uploads.
 */
export const MD5_METADATA = 'cruddur-md5';

/** The headers and settings an object is written with; each maps to the S3 field of the same name. */
export interface ObjectWriteSettings {
  contentType?: string;
  cacheControl?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  contentEncoding?: string;
  /** User metadata (x-amz-meta-<name>), names without the prefix. */
  metadata?: Record<string, string>;
  acl?: string;
  serverSideEncryption?: string;
  sseKmsKeyId?: string;
  storageClass?: string;
}

export interface SyncPutInput extends ObjectWriteSettings {
  bucket: string;
  key: string;
  body: Buffer;
  /** Base64 MD5 of the body; S3 rejects the upload if the bytes differ. */
  contentMD5?: string;
}

export interface UploadPartInput {
  bucket: string;
  key: string;
  uploadId: string;
  partNumber: number;
  body: Buffer;
  contentMD5: string;
}

/**
 * The S3 calls the sync makes, nothing more: tests implement it in memory (test/frontend/memory-store.ts)
 * and against s3rver. ETags are returned without quotes.
 */
export interface SyncStore {
  /** Every object of the bucket (all pages). Throws a CruddurError with code AWS_NO_SUCH_BUCKET when it does not exist. */
  listObjects(bucket: string, prefix?: string): Promise<RemoteObject[]>;
  /** An object's body as UTF-8, or undefined when there is none. */
  getObjectText(bucket: string, key: string): Promise<string | undefined>;
  /** ETag and the stored MD5 metadata (undefined when the object lacks it), or undefined when there is no object. */
  headStoredMd5(bucket: string, key: string): Promise<{ etag: string; md5: string | undefined } | undefined>;
  /** Returns the new object's ETag. */
  putObject(input: SyncPutInput): Promise<string>;
  /** Batches of at most 1,000 keys. */
  deleteObjects(bucket: string, keys: string[]): Promise<DeleteResult>;
  createMultipartUpload(input: { bucket: string; key: string } & ObjectWriteSettings): Promise<string>;
  /**
   * A server-side copy of an object onto itself with new headers (CopyObject, MetadataDirective REPLACE):
   * no bytes are uploaded. Returns the new ETag.
   */
  copyObject(input: { bucket: string; key: string } & ObjectWriteSettings): Promise<string>;
  /**
   * The size of part 1 of a multipart object (HeadObject PartNumber=1: its ContentLength), with the ETag
   * and the part count S3 reports; undefined when there is no object. An S3 that ignores PartNumber
   * answers the whole object's length (the caller checks it against the part count).
   */
  headFirstPart(bucket: string, key: string): Promise<{ etag: string; partSize: number; partsCount: number | undefined } | undefined>;
  /** Returns the part's ETag. */
  uploadPart(input: UploadPartInput): Promise<string>;
  /** Returns the object's ETag. */
  completeMultipartUpload(input: { bucket: string; key: string; uploadId: string; parts: Array<{ partNumber: number; etag: string }> }): Promise<string>;
  abortMultipartUpload(input: { bucket: string; key: string; uploadId: string }): Promise<void>;
}

const unquote = (etag: string | undefined) => (etag ?? '').replaceAll('"', '');
const notFound = (error: unknown) =>
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404 || ['NotFound', 'NoSuchKey'].includes((error as { name?: string }).name ?? '');

export function createSyncStore(client: S3Client): SyncStore {
  const sdk = import('@aws-sdk/client-s3');
  const base = createS3Store(client);
  return {
    listObjects: (bucket, prefix) => base.listObjects(bucket, prefix),
    deleteObjects: (bucket, keys) => base.deleteObjects(bucket, keys),
    async getObjectText(bucket, key) {
      const { GetObjectCommand } = await sdk;
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return await out.Body?.transformToString('utf8');
      } catch (error) {
        if (notFound(error)) return undefined;
        throw fromAwsError(error, `read s3://${bucket}/${key}`);
      }
    },
    async headStoredMd5(bucket, key) {
      const { HeadObjectCommand } = await sdk;
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return { etag: unquote(head.ETag), md5: head.Metadata?.[MD5_METADATA] };
      } catch (error) {
        if (notFound(error)) return undefined;
        throw fromAwsError(error, `read s3://${bucket}/${key}`);
      }
    },
    async putObject(input) {
      const { PutObjectCommand } = await sdk;
      try {
        const out = await client.send(
          new PutObjectCommand({
            Bucket: input.bucket,
            Key: input.key,
            Body: input.body,
            ContentLength: input.body.length,
            ContentMD5: input.contentMD5,
            ...writeFields(input),
          }),
        );
        return unquote(out.ETag);
      } catch (error) {
        throw fromAwsError(error, `upload s3://${input.bucket}/${input.key}`);
      }
    },
    async createMultipartUpload(input) {
      const { bucket, key } = input;
      const { CreateMultipartUploadCommand } = await sdk;
      try {
        const out = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ...writeFields(input) }));
        if (!out.UploadId) throw new Error('no UploadId in the answer');
        return out.UploadId;
      } catch (error) {
        throw fromAwsError(error, `start a multipart upload of s3://${bucket}/${key}`);
      }
    },
    async copyObject(input) {
      const { CopyObjectCommand } = await sdk;
      const { bucket, key } = input;
      try {
        const out = await client.send(
          new CopyObjectCommand({ Bucket: bucket, Key: key, CopySource: `${bucket}/${encodeURIComponent(key).replaceAll('%2F', '/')}`, MetadataDirective: 'REPLACE', ...writeFields(input) }),
        );
        return unquote(out.CopyObjectResult?.ETag);
      } catch (error) {
        throw fromAwsError(error, `update the headers of s3://${bucket}/${key}`);
      }
    },
    async headFirstPart(bucket, key) {
      const { HeadObjectCommand } = await sdk;
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key, PartNumber: 1 }));
        return { etag: unquote(head.ETag), partSize: head.ContentLength ?? 0, partsCount: head.PartsCount };
      } catch (error) {
        if (notFound(error)) return undefined;
        throw fromAwsError(error, `read part 1 of s3://${bucket}/${key}`);
      }
    },
    async uploadPart({ bucket, key, uploadId, partNumber, body, contentMD5 }) {
      const { UploadPartCommand } = await sdk;
      try {
        const out = await client.send(
          new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, Body: body, ContentLength: body.length, ContentMD5: contentMD5 }),
        );
        return out.ETag ?? '';
      } catch (error) {
        throw fromAwsError(error, `upload part ${partNumber} of s3://${bucket}/${key}`);
      }
    },
    async completeMultipartUpload({ bucket, key, uploadId, parts }) {
      const { CompleteMultipartUploadCommand } = await sdk;
      try {
        const out = await client.send(
          new CompleteMultipartUploadCommand({
            Bucket: bucket,
            Key: key,
            UploadId: uploadId,
            MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
          }),
        );
        return unquote(out.ETag);
      } catch (error) {
        throw fromAwsError(error, `complete the multipart upload of s3://${bucket}/${key}`);
      }
    },
    async abortMultipartUpload({ bucket, key, uploadId }) {
      const { AbortMultipartUploadCommand } = await sdk;
      try {
        await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
      } catch {
        // Best effort: a lifecycle rule for incomplete uploads cleans up what this misses.
      }
    },
  };
}

/** The SDK fields of ObjectWriteSettings (undefined ones are left out of the request). */
function writeFields(s: ObjectWriteSettings) {
  const fields = {
    ContentType: s.contentType,
    CacheControl: s.cacheControl,
    ContentDisposition: s.contentDisposition,
    ContentLanguage: s.contentLanguage,
    ContentEncoding: s.contentEncoding,
    Metadata: s.metadata,
    ACL: s.acl as never,
    ServerSideEncryption: s.serverSideEncryption as never,
    SSEKMSKeyId: s.sseKmsKeyId,
    StorageClass: s.storageClass as never,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<typeof fields>;
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
