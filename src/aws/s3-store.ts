import { count } from '../core/output.js';
import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { CruddurError } from '../core/errors.js';
import { fromAwsError } from './errors.js';
import { loadSdk } from './sdk.js';

export interface RemoteObject {
  key: string;
  size: number;
  /** Without quotes: an MD5 hex, or `<md5>-<parts>` for multipart uploads. */
  etag: string;
  /** Set by headObject (S3's clock, for "is this newer than before" checks). */
  lastModified?: Date;
}

/**
 * The headers and settings an object is written with (PutObject, CreateMultipartUpload, CopyObject); each
 * maps to the S3 field of the same name. Undefined fields are left out of the request.
 */
export interface ObjectWriteSettings {
  contentType?: string;
  cacheControl?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  contentEncoding?: string;
  /** User metadata (`x-amz-meta-<name>`, names without the prefix), e.g. the content MD5 frontend sync stores. */
  metadata?: Record<string, string>;
  /** A canned ACL (`private`, `public-read`, ...). */
  acl?: string;
  /** `AES256` or `aws:kms`. */
  serverSideEncryption?: string;
  sseKmsKeyId?: string;
  /** `STANDARD`, `STANDARD_IA`, ... */
  storageClass?: string;
}

export interface PutObjectInput extends ObjectWriteSettings {
  bucket: string;
  key: string;
  body: Buffer | Uint8Array | Readable;
  contentLength?: number;
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
  /** An object's body as UTF-8, or undefined when there is no such object. */
  getObjectText(bucket: string, key: string): Promise<string | undefined>;
  /** ETag and one user-metadata value (undefined when the object lacks it), or undefined when there is no object. */
  headMetadata(bucket: string, key: string, name: string): Promise<{ etag: string; value: string | undefined } | undefined>;
  /** Returns the new object's ETag (without quotes). */
  putObject(input: PutObjectInput): Promise<string>;
  /** Deletes in batches of at most 1,000 keys (the DeleteObjects limit). */
  deleteObjects(bucket: string, keys: string[]): Promise<DeleteResult>;
}

export interface UploadPartInput {
  bucket: string;
  key: string;
  uploadId: string;
  /** 1 to 10,000. */
  partNumber: number;
  body: Buffer;
  /** Base64 MD5 of the part; S3 rejects the part if the bytes differ. */
  contentMD5: string;
}

/** The S3Store port plus the multipart calls large files need (frontend sync uploads big bundles in parts). */
export interface S3MultipartStore extends S3Store {
  /** CreateMultipartUpload; returns the UploadId. */
  createMultipartUpload(input: { bucket: string; key: string } & ObjectWriteSettings): Promise<string>;
  /**
   * A server-side copy of an object onto itself with new headers (CopyObject, MetadataDirective REPLACE):
   * no bytes are uploaded. Returns the new ETag (without quotes).
   */
  copyObject(input: { bucket: string; key: string } & ObjectWriteSettings): Promise<string>;
  /**
   * HeadObject with PartNumber=1: the size of part 1 of a multipart object (its ContentLength, bytes), the
   * ETag and S3's PartsCount; undefined when there is no object. An S3 that ignores PartNumber answers the
   * whole object's length and no PartsCount (the caller checks).
   */
  headFirstPart(bucket: string, key: string): Promise<{ etag: string; partSize: number; partsCount: number | undefined } | undefined>;
  /** UploadPart; returns the part's ETag (quotes kept, as CompleteMultipartUpload wants it back). */
  uploadPart(input: UploadPartInput): Promise<string>;
  /** Returns the object's ETag (without quotes). */
  completeMultipartUpload(input: { bucket: string; key: string; uploadId: string; parts: Array<{ partNumber: number; etag: string }> }): Promise<string>;
  /** Best effort: a lifecycle rule for incomplete uploads cleans up what this misses. */
  abortMultipartUpload(input: { bucket: string; key: string; uploadId: string }): Promise<void>;
}

export const DELETE_BATCH = 1000;

function badResponse(what: string, missing: string): CruddurError {
  return new CruddurError(`Could not ${what}: S3 answered without ${missing}`, {
    suggestion: 'check AWS_ENDPOINT_URL_S3 (an emulator or proxy may be answering), then run again',
    code: 'AWS_BAD_RESPONSE',
  });
}

const unquote = (etag: string | undefined) => (etag ?? '').replaceAll('"', '');
const notFound = (error: unknown) =>
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404 || ['NotFound', 'NoSuchKey'].includes((error as { name?: string }).name ?? '');

/**
 * The one S3 adapter: every S3 call of the domain services goes through it. Responses are checked here
 * (an UploadId or part ETag that must exist and does not is an error); SDK errors become CruddurErrors.
 */
export function createS3Store(client: S3Client): S3MultipartStore {
  const sdk = loadSdk<typeof import('@aws-sdk/client-s3')>('@aws-sdk/client-s3');
  return {
    async bucketExists(bucket) {
      const { HeadBucketCommand } = sdk;
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
      const { ListObjectsV2Command } = sdk;
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
      const { HeadObjectCommand } = sdk;
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return { key, size: head.ContentLength ?? 0, etag: unquote(head.ETag), lastModified: head.LastModified };
      } catch (error) {
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status === 404 || (error as { name?: string }).name === 'NotFound') return undefined;
        throw fromAwsError(error, `read s3://${bucket}/${key}`);
      }
    },

    async getObjectText(bucket, key) {
      const { GetObjectCommand } = sdk;
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return await out.Body?.transformToString('utf8');
      } catch (error) {
        if (notFound(error)) return undefined;
        throw fromAwsError(error, `read s3://${bucket}/${key}`);
      }
    },

    async headMetadata(bucket, key, name) {
      const { HeadObjectCommand } = sdk;
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return { etag: unquote(head.ETag), value: head.Metadata?.[name] };
      } catch (error) {
        if (notFound(error)) return undefined;
        throw fromAwsError(error, `read s3://${bucket}/${key}`);
      }
    },

    async putObject(input) {
      const { PutObjectCommand } = sdk;
      try {
        const out = await client.send(
          new PutObjectCommand({
            Bucket: input.bucket,
            Key: input.key,
            Body: input.body,
            ContentLength: input.contentLength,
            ContentMD5: input.contentMD5,
            ...writeFields(input),
          }),
        );
        return unquote(out.ETag);
      } catch (error) {
        throw fromAwsError(error, `upload s3://${input.bucket}/${input.key}`);
      }
    },

    async deleteObjects(bucket, keys) {
      const { DeleteObjectsCommand } = sdk;
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
    async createMultipartUpload(input) {
      const { bucket, key } = input;
      const { CreateMultipartUploadCommand } = sdk;
      let out;
      try {
        out = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ...writeFields(input) }));
      } catch (error) {
        throw fromAwsError(error, `start a multipart upload of s3://${bucket}/${key}`);
      }
      if (!out.UploadId) throw badResponse(`start a multipart upload of s3://${bucket}/${key}`, 'UploadId');
      return out.UploadId;
    },
    async copyObject(input) {
      const { CopyObjectCommand } = sdk;
      const { bucket, key } = input;
      try {
        const out = await client.send(
          new CopyObjectCommand({
            Bucket: bucket,
            Key: key,
            CopySource: `${bucket}/${encodeURIComponent(key).replaceAll('%2F', '/')}`,
            MetadataDirective: 'REPLACE',
            ...writeFields(input),
          }),
        );
        return unquote(out.CopyObjectResult?.ETag);
      } catch (error) {
        throw fromAwsError(error, `update the headers of s3://${bucket}/${key}`);
      }
    },
    async headFirstPart(bucket, key) {
      const { HeadObjectCommand } = sdk;
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key, PartNumber: 1 }));
        return { etag: unquote(head.ETag), partSize: head.ContentLength ?? 0, partsCount: head.PartsCount };
      } catch (error) {
        if (notFound(error)) return undefined;
        throw fromAwsError(error, `read part 1 of s3://${bucket}/${key}`);
      }
    },
    async uploadPart({ bucket, key, uploadId, partNumber, body, contentMD5 }) {
      const { UploadPartCommand } = sdk;
      let out;
      try {
        out = await client.send(
          new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, Body: body, ContentLength: body.length, ContentMD5: contentMD5 }),
        );
      } catch (error) {
        throw fromAwsError(error, `upload part ${partNumber} of s3://${bucket}/${key}`);
      }
      if (!out.ETag) throw badResponse(`upload part ${partNumber} of s3://${bucket}/${key}`, 'ETag');
      return out.ETag;
    },
    async completeMultipartUpload({ bucket, key, uploadId, parts }) {
      const { CompleteMultipartUploadCommand } = sdk;
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
      const { AbortMultipartUploadCommand } = sdk;
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
