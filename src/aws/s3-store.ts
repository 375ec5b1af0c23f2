import { count } from '../core/output.js';
import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { fromAwsError } from './errors.js';

export interface RemoteObject {
  key: string;
  size: number;
  /** Without quotes: an MD5 hex, or `<md5>-<parts>` for multipart uploads. */
  etag: string;
  /** Set by headObject (S3's clock, for "is this newer than before" checks). */
  lastModified?: Date;
}

export interface PutObjectInput {
  bucket: string;
  key: string;
  body: Buffer | Uint8Array | Readable;
  contentLength?: number;
  contentType?: string;
  cacheControl?: string;
  /** Base64 MD5 of the body; S3 rejects the upload if the bytes differ. */
  contentMD5?: string;
}

export interface DeleteResult {
  deleted: string[];
  failed: Array<{ key: string; message: string }>;
}

/** The narrow S3 surface domain services use; tests run it against s3rver. */
export interface S3Store {
  bucketExists(bucket: string): Promise<boolean>;
  listObjects(bucket: string, prefix?: string): Promise<RemoteObject[]>;
  headObject(bucket: string, key: string): Promise<RemoteObject | undefined>;
  putObject(input: PutObjectInput): Promise<void>;
  /** Deletes in batches of at most 1,000 keys (the DeleteObjects limit). */
  deleteObjects(bucket: string, keys: string[]): Promise<DeleteResult>;
}

export const DELETE_BATCH = 1000;

const unquote = (etag: string | undefined) => (etag ?? '').replaceAll('"', '');

export function createS3Store(client: S3Client): S3Store {
  const sdk = import('@aws-sdk/client-s3');
  return {
    async bucketExists(bucket) {
      const { HeadBucketCommand } = await sdk;
      try {
        await client.send(new HeadBucketCommand({ Bucket: bucket }));
        return true;
      } catch (error) {
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status === 404 || (error as { name?: string }).name === 'NotFound') return false;
        throw fromAwsError(error, `check bucket ${bucket}`);
      }
    },

    async listObjects(bucket, prefix) {
      const { ListObjectsV2Command } = await sdk;
      const objects: RemoteObject[] = [];
      let token: string | undefined;
      do {
        let page;
        try {
          page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
        } catch (error) {
          throw fromAwsError(error, `list bucket ${bucket}`);
        }
        for (const o of page.Contents ?? []) {
          if (o.Key !== undefined) objects.push({ key: o.Key, size: o.Size ?? 0, etag: unquote(o.ETag) });
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return objects;
    },

    async headObject(bucket, key) {
      const { HeadObjectCommand } = await sdk;
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return { key, size: head.ContentLength ?? 0, etag: unquote(head.ETag), lastModified: head.LastModified };
      } catch (error) {
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status === 404 || (error as { name?: string }).name === 'NotFound') return undefined;
        throw fromAwsError(error, `read s3://${bucket}/${key}`);
      }
    },

    async putObject(input) {
      const { PutObjectCommand } = await sdk;
      try {
        await client.send(
          new PutObjectCommand({
            Bucket: input.bucket,
            Key: input.key,
            Body: input.body,
            ContentLength: input.contentLength,
            ContentType: input.contentType,
            CacheControl: input.cacheControl,
            ContentMD5: input.contentMD5,
          }),
        );
      } catch (error) {
        throw fromAwsError(error, `upload s3://${input.bucket}/${input.key}`);
      }
    },

    async deleteObjects(bucket, keys) {
      const { DeleteObjectsCommand } = await sdk;
      const result: DeleteResult = { deleted: [], failed: [] };
      for (let i = 0; i < keys.length; i += DELETE_BATCH) {
        const batch = keys.slice(i, i + DELETE_BATCH);
        let response;
        try {
          response = await client.send(
            new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: false } }),
          );
        } catch (error) {
          throw fromAwsError(error, `delete ${count(batch.length, 'object')} from ${bucket}`);
        }
        for (const d of response.Deleted ?? []) if (d.Key !== undefined) result.deleted.push(d.Key);
        for (const e of response.Errors ?? []) result.failed.push({ key: e.Key ?? '?', message: e.Message ?? e.Code ?? 'failed' });
      }
      return result;
    },
  };
}
