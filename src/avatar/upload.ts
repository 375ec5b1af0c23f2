import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { basename } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3Store } from '../aws/s3-store.js';
import { fromAwsError } from '../aws/errors.js';
import { CruddurError, errorMessage } from '../core/errors.js';
import { onInterrupt } from '../core/interrupt.js';
import type { Logger } from '../core/output.js';
import { keyPath, type CloudFront } from '../aws/cloudfront.js';
import { loadSdk } from '../aws/sdk.js';
import { assetsKey, describeImageError, imageErrorSuggestion } from './plan.js';
import { thumbnailPipeline, thumbnailSettings, type ThumbnailSettings } from './transform.js';
import { systemClock, waitForNewObject, type Clock } from './wait.js';

/** Uploads bigger than this go in parts (like the AWS CLI's 8 MiB multipart threshold). */
export const MULTIPART_PART_SIZE = 8 * 1024 * 1024;
/** S3's largest object (multipart): 5 TiB. */
export const S3_MAX_OBJECT_BYTES = 5 * 1024 ** 4;
/** Files up to this size are read into memory (one read, Content-MD5 checked); larger ones are streamed from disk. */
export const IN_MEMORY_LIMIT = 64 * 1024 * 1024;

export interface UploadInput {
  bucket: string;
  key: string;
  /** The bytes, or a stream of `size` bytes for a file too big to hold in memory. */
  body: Buffer | Readable;
  size: number;
  contentType: string;
  onProgress?(loaded: number, total: number): void;
}

/** The one write `avatar upload` needs: PutObject, or a multipart upload with progress when large. */
export interface Uploader {
  upload(input: UploadInput): Promise<{ multipart: boolean }>;
}

export function createUploader(client: S3Client, partSize = MULTIPART_PART_SIZE): Uploader {
  return {
    async upload(input) {
      const { Upload } = loadSdk<typeof import('@aws-sdk/lib-storage')>('@aws-sdk/lib-storage');
      const multipart = input.size > partSize;
      const upload = new Upload({
        client,
        partSize,
        queueSize: 4,
        leavePartsOnError: false,
        params: {
          Bucket: input.bucket,
          Key: input.key,
          Body: input.body,
          ContentType: input.contentType,
          // A single PutObject carries its MD5 so S3 rejects a damaged body (parts are checked by size).
          ...(multipart || !Buffer.isBuffer(input.body) ? {} : { ContentMD5: createHash('md5').update(input.body).digest('base64') }),
        },
      });
      upload.on('httpUploadProgress', (p) => input.onProgress?.(p.loaded ?? 0, p.total ?? input.size));
      // Ctrl-C during a multipart upload: abort it, or S3 keeps (and bills) the parts already sent.
      const forget = onInterrupt(async () => {
        await upload.abort();
        const uploadId = (upload as unknown as { uploadId?: string }).uploadId;
        if (!uploadId) return;
        const { AbortMultipartUploadCommand } = loadSdk<typeof import('@aws-sdk/client-s3')>('@aws-sdk/client-s3');
        await client.send(new AbortMultipartUploadCommand({ Bucket: input.bucket, Key: input.key, UploadId: uploadId })).catch(() => undefined);
      });
      try {
        await upload.done();
      } catch (error) {
        throw fromAwsError(error, `upload s3://${input.bucket}/${input.key}`);
      } finally {
        forget();
      }
      return { multipart };
    },
  };
}

const CONTENT_TYPES: Record<string, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  tiff: 'image/tiff',
  avif: 'image/avif',
  heif: 'image/heif',
  svg: 'image/svg+xml',
};

/** The Content-Type for sharp's format name; HEIF holding AV1 is AVIF (`image/avif`, RFC-registered). */
export function contentTypeFor(format: string, compression?: string): string {
  if (format === 'heif' && compression === 'av1') return 'image/avif';
  return CONTENT_TYPES[format] ?? 'application/octet-stream';
}

export interface DecodedImage {
  format: string;
  width: number;
  height: number;
  contentType: string;
}

/**
 * Decodes the whole image through the avatar transform, as the processing will (sharp, failOn "error",
 * the pixel limit and a decode timeout bound time and memory), so an upload is refused exactly when
 * processing would fail. HEIC/HEIF coded with HEVC is refused up front: sharp's prebuilt libvips has no
 * HEVC decoder (patents), so no processing here or in Lambda can read it.
 */
export async function decodeImage(input: Buffer | string, settings: ThumbnailSettings = thumbnailSettings()): Promise<DecodedImage> {
  const { default: sharp } = await import('sharp');
  const header = Buffer.isBuffer(input) ? input.subarray(0, 16) : await readHeader(input, 16);
  const hevcBrand = isHevcBrand(header);
  const meta = hevcBrand ? { format: 'heif', compression: 'hevc' as const, width: 0, height: 0 } : await sharp(input, { limitInputPixels: PIXEL_LIMIT_FOR_UPLOAD }).metadata();
  if (meta.format === 'heif' && meta.compression !== 'av1') {
    throw new CruddurError(`HEIC image coded with ${meta.compression ?? 'HEVC'}, which sharp (and so the thumbnail Lambda) cannot decode`, {
      suggestion: 'convert it to JPEG first (on a Mac: `sips -s format jpeg photo.heic --out photo.jpg`; on Linux: `heif-convert photo.heic photo.jpg`), or set the iPhone camera to "Most Compatible"',
      code: 'AVATAR_HEVC',
    });
  }
  if (!meta.format || !meta.width || !meta.height) throw new Error('not an image sharp can read');
  await (await thumbnailPipeline(input, settings)).toBuffer();
  return { format: meta.format === 'heif' && meta.compression === 'av1' ? 'avif' : meta.format, width: meta.width, height: meta.height, contentType: contentTypeFor(meta.format, meta.compression) };
}

const PIXEL_LIMIT_FOR_UPLOAD = 268_402_689;

/** HEIF brands for HEVC-coded images (ISO/IEC 23008-12 Annex B: heic, heix, heim, heis; hevc, hevx for sequences). */
const HEVC_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx']);

/** Whether the ISO BMFF `ftyp` box at the start names an HEVC HEIF brand (what iPhones write). */
export function isHevcBrand(header: Buffer): boolean {
  return header.length >= 12 && header.toString('latin1', 4, 8) === 'ftyp' && HEVC_BRANDS.has(header.toString('latin1', 8, 12));
}

async function readHeader(path: string, bytes: number): Promise<Buffer> {
  const { open } = await import('node:fs/promises');
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * `https://assets.<domain>/avatars/<name>.jpg`, as CloudFront serves it: the path is the avatar's invalidation
 * path (keyPath), so the URL printed is exactly the one `avatar upload` invalidates.
 */
export function avatarUrl(domain: string, key: string): string {
  return `https://assets.${domain.replace(/^https?:\/\//, '').replace(/\/+$/, '')}${keyPath(key)}`;
}

export interface UploadOptions {
  file: string;
  /** The key in the uploads bucket; default the file's name. */
  key?: string;
  uploadsBucket: string;
  assetsBucket?: string;
  domain?: string;
  wait: boolean;
  timeoutMs: number;
  /** The transform the upload must survive (the avatar configuration's). */
  settings?: ThumbnailSettings;
  /** The key the handler writes for an uploads key (the avatar configuration's rule); undefined: not processed. */
  avatarKey?: (uploadKey: string) => string | undefined;
  /** CLOUDFRONT_DISTRIBUTION_ID: the avatar's path is invalidated after the upload (after the wait with --wait). */
  distributionId?: string;
}

export interface UploadDeps {
  store: S3Store;
  uploader: Uploader;
  logger: Logger;
  clock?: Clock;
  /** CloudFront's CreateInvalidation (src/aws/cloudfront.ts). */
  invalidator?: Pick<CloudFront, 'createInvalidation'>;
  onProgress?(loaded: number, total: number): void;
}

export interface UploadResult {
  file: string;
  bucket: string;
  key: string;
  bytes: number;
  contentType: string;
  multipart: boolean;
  image: { format: string; width: number; height: number };
  /** The processed avatar the Lambda writes, and whether --wait saw it. */
  avatar: { bucket?: string; key: string; url?: string; appeared: boolean; waitedMs?: number };
  invalidation?: { distributionId: string; id: string; status: string; paths: string[] };
}

/** `avatar upload`: validate the image, put it in the uploads bucket and optionally wait for its thumbnail. */
export async function uploadAvatar(options: UploadOptions, deps: UploadDeps): Promise<UploadResult> {
  // Only the size and the image header are read here: a multi-gigabyte file is never loaded into memory.
  const size = await stat(options.file).then(
    (info) => (info.isFile() ? info.size : undefined),
    (error: unknown) => {
      if ((error as { code?: string }).code === 'ENOENT') {
        throw new CruddurError(`${options.file} does not exist`, {
          suggestion: 'pass the image to upload (`cruddur avatar upload photo.jpg`), or put one at the "avatarSample" path',
          code: 'AVATAR_FILE_MISSING',
        });
      }
      throw error;
    },
  );
  if (size === undefined) {
    throw new CruddurError(`${options.file} is not a file`, { suggestion: 'pass the path of an image file', code: 'AVATAR_NOT_A_FILE' });
  }
  if (size > S3_MAX_OBJECT_BYTES) {
    throw new CruddurError(`${options.file} is ${size} bytes, over the 5 TiB S3 object limit`, {
      suggestion: 'resize or re-encode the image (`cruddur avatar process` makes a 512x512 JPEG) and upload that',
      code: 'AVATAR_TOO_LARGE',
    });
  }
  const body: Buffer | undefined = size <= IN_MEMORY_LIMIT ? await readFile(options.file) : undefined;
  let image: DecodedImage;
  try {
    image = await decodeImage(body ?? options.file, options.settings);
  } catch (error) {
    if (error instanceof CruddurError) throw new CruddurError(`${options.file}: ${error.message}`, { suggestion: error.suggestion, code: error.code });
    throw new CruddurError(`${options.file} is not an image the thumbnail Lambda can read: ${describeImageError(errorMessage(error), size)}`, {
      suggestion: imageErrorSuggestion(errorMessage(error), size),
      code: 'AVATAR_NOT_AN_IMAGE',
    });
  }
  if (options.wait && !options.assetsBucket) {
    throw new CruddurError('ASSETS_BUCKET_NAME is not set, so --wait cannot look for the processed avatar', {
      suggestion: 'set ASSETS_BUCKET_NAME (in .env or the environment), or drop --wait',
      code: 'AVATAR_NO_ASSETS_BUCKET',
    });
  }
  const key = options.key ?? basename(options.file);
  const avatarKey = options.avatarKey ? options.avatarKey(key) : assetsKey(key, thumbnailSettings().outputFolder, thumbnailSettings().outputExtension);
  if (avatarKey === undefined) {
    throw new CruddurError(`${key} is not a key the thumbnail handler processes (outside the input folder, or inside the output folder)`, {
      suggestion: 'drop --key, or give a key under the input folder (see `cruddur avatar config`)',
      code: 'AVATAR_KEY_NOT_PROCESSED',
      exitCode: 2,
    });
  }
  // Seen before the upload, so an avatar left by an earlier upload does not end the wait.
  const before = options.wait && options.assetsBucket ? await deps.store.headObject(options.assetsBucket, avatarKey) : undefined;
  // S3 reports Last-Modified in whole seconds. If the old avatar was written this very second, a new one
  // written in the same second would look identical: upload in the next second so they can be told apart.
  const sameSecond = before?.lastModified ? before.lastModified.getTime() + 1100 - (deps.clock ?? systemClock).now() : 0;
  if (sameSecond > 0) {
    deps.logger.debug(`the current avatar is ${1100 - sameSecond} ms old; uploading in the next second so the new one is distinguishable`);
    await (deps.clock ?? systemClock).sleep(Math.min(sameSecond, 1100));
  }

  const contentType = image.contentType;
  deps.logger.debug(`uploading ${options.file} (${size} bytes, ${contentType}) to s3://${options.uploadsBucket}/${key}`);
  const { multipart } = await deps.uploader.upload({
    bucket: options.uploadsBucket,
    key,
    body: body ?? createReadStream(options.file),
    size,
    contentType,
    onProgress: deps.onProgress,
  });
  const result: UploadResult = {
    file: options.file,
    bucket: options.uploadsBucket,
    key,
    bytes: size,
    contentType,
    multipart,
    image: { format: image.format, width: image.width, height: image.height },
    avatar: {
      bucket: options.assetsBucket,
      key: avatarKey,
      url: options.domain ? avatarUrl(options.domain, avatarKey) : undefined,
      appeared: false,
    },
  };
  if (!options.wait || !options.assetsBucket) {
    await invalidate(options, deps, result);
    return result;
  }

  deps.logger.info(`Waiting up to ${Math.round(options.timeoutMs / 1000)} s for s3://${options.assetsBucket}/${avatarKey} ...`);
  const waited = await waitForNewObject(deps.store, {
    bucket: options.assetsBucket,
    key: avatarKey,
    timeoutMs: options.timeoutMs,
    before,
    clock: deps.clock,
    onPoll: (attempt, elapsed) => deps.logger.debug(`poll ${attempt} after ${elapsed} ms`),
  });
  result.avatar.appeared = true;
  result.avatar.waitedMs = waited.waitedMs;
  await invalidate(options, deps, result);
  return result;
}

/**
 * One CreateInvalidation of the avatar's own path (encoded by CloudFront's rules, keyPath), so the URL printed
 * serves the new image (the bootcamp invalidated by hand). CallerReference `cruddur-avatar-upload-<ms>`.
 */
async function invalidate(options: UploadOptions, deps: UploadDeps, result: UploadResult): Promise<void> {
  if (!options.distributionId || !deps.invalidator) return;
  const paths = [keyPath(result.avatar.key)];
  const made = await deps.invalidator.createInvalidation(options.distributionId, paths, `cruddur-avatar-upload-${(deps.clock ?? systemClock).now()}`);
  result.invalidation = { distributionId: options.distributionId, ...made, paths };
}
