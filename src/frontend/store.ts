import type { S3Client } from '@aws-sdk/client-s3';
import { fromAwsError } from '../aws/errors.js';
import { createS3Store, type S3Store } from '../aws/s3-store.js';

export interface UploadPartInput {
  bucket: string;
  key: string;
  uploadId: string;
  partNumber: number;
  body: Buffer;
  contentMD5: string;
}

/** The S3Store port plus the multipart calls large build files need. */
export interface SyncStore extends S3Store {
  createMultipartUpload(input: { bucket: string; key: string; contentType?: string; cacheControl?: string }): Promise<string>;
  /** Returns the part's ETag. */
  uploadPart(input: UploadPartInput): Promise<string>;
  completeMultipartUpload(input: { bucket: string; key: string; uploadId: string; parts: Array<{ partNumber: number; etag: string }> }): Promise<void>;
  abortMultipartUpload(input: { bucket: string; key: string; uploadId: string }): Promise<void>;
}

export function createSyncStore(client: S3Client): SyncStore {
  const sdk = import('@aws-sdk/client-s3');
  const base = createS3Store(client);
  return {
    ...base,
    async createMultipartUpload({ bucket, key, contentType, cacheControl }) {
      const { CreateMultipartUploadCommand } = await sdk;
      try {
        const out = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentType, CacheControl: cacheControl }));
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
        await client.send(
          new CompleteMultipartUploadCommand({
            Bucket: bucket,
            Key: key,
            UploadId: uploadId,
            MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
          }),
        );
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
