import type { S3Client } from '@aws-sdk/client-s3';
import { fromAwsError } from '../aws/errors.js';
import { createS3Store, type DeleteResult, type RemoteObject } from '../aws/s3-store.js';

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

const unquote = (etag: string | undefined) => (etag ?? '').replaceAll('"', '');
const notFound = (error: unknown) =>
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404 || ['NotFound', 'NoSuchKey'].includes((error as { name?: string }).name ?? '');

export function createSyncStore(client: S3Client): SyncStore {
  const sdk = import('@aws-sdk/client-s3');
  const base = createS3Store(client);
  return {
    listObjects: (bucket) => base.listObjects(bucket),
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
            ContentType: input.contentType,
            CacheControl: input.cacheControl,
            ContentMD5: input.contentMD5,
            Metadata: input.metadata,
          }),
        );
        return unquote(out.ETag);
      } catch (error) {
        throw fromAwsError(error, `upload s3://${input.bucket}/${input.key}`);
      }
    },
    async createMultipartUpload({ bucket, key, contentType, cacheControl, metadata }) {
      const { CreateMultipartUploadCommand } = await sdk;
      try {
        const out = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentType, CacheControl: cacheControl, Metadata: metadata }));
        if (!out.UploadId) throw new Error('no UploadId in the answer');
        return out.UploadId;
      } catch (error) {
        throw fromAwsError(error, `start a multipart upload of s3://${bucket}/${key}`);
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
