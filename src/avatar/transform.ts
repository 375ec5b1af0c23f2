import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Sharp } from 'sharp';
import { CruddurError } from '../core/errors.js';

/**
 * The one definition of the avatar transform. The values live in the Lambda template's
 * thumbnail-settings.json, which the shipped handler reads too, so `avatar process`, the local
 * thumbnail worker and the Lambda cannot drift apart (a test compares their bytes).
 */
export interface ThumbnailSettings {
  width: number;
  height: number;
  fit: 'cover' | 'contain' | 'fill' | 'inside' | 'outside';
  position: string;
  /** Alpha is flattened onto this colour: JPEG has no transparency. */
  background: string;
  /** Rotate by the EXIF orientation before resizing (then the tag is dropped with the rest). */
  autoOrient: boolean;
  /** sharp's failOn: `warning` rejects truncated or corrupt data instead of emitting grey blocks. */
  failOn: 'none' | 'truncated' | 'error' | 'warning';
  jpeg: { quality: number; progressive: boolean; chromaSubsampling: string; mozjpeg: boolean };
  /** The output format (default jpeg); png/webp/avif use sharp's defaults for that format. */
  format?: 'jpeg' | 'png' | 'webp' | 'avif';
  outputFolder: string;
  outputExtension: string;
  contentType: string;
}

// From src/avatar (tests) and dist/avatar (the CLI) alike.
export const LAMBDA_TEMPLATE_DIR = fileURLToPath(new URL('../../templates/lambda/process-images/', import.meta.url));
export const SETTINGS_FILE = `${LAMBDA_TEMPLATE_DIR}thumbnail-settings.json`;

const FITS = ['cover', 'contain', 'fill', 'inside', 'outside'];
const FAIL_ON = ['none', 'truncated', 'error', 'warning'];

/** What each settings key takes, for the Try: line of a user's own thumbnail-settings.json. */
const SETTING_RULES: Record<string, string> = {
  width: 'a whole number of pixels above 0',
  height: 'a whole number of pixels above 0',
  fit: FITS.join(', '),
  failOn: FAIL_ON.join(', '),
  'jpeg.quality': 'a whole number from 1 to 100',
  format: 'jpeg, png, webp or avif',
  autoOrient: 'true or false',
  'jpeg.progressive': 'true or false',
  'jpeg.mozjpeg': 'true or false',
};

/**
 * Parses a thumbnail-settings.json into its type; an error names the key. In cruddur's own template a bad key
 * means a damaged install; in the user's handler (`avatar build --init`) it is theirs to edit.
 */
export function parseThumbnailSettings(data: unknown, file = SETTINGS_FILE): ThumbnailSettings {
  const fail = (key: string): never => {
    throw new CruddurError(`${file}: "${key}" is missing or invalid`, {
      suggestion:
        file === SETTINGS_FILE
          ? 'reinstall cruddur (the Lambda template that holds the thumbnail settings is damaged)'
          : `set "${key}" in ${file} to ${SETTING_RULES[key] ?? 'a non-empty string'} (see docs/avatar.md)`,
      code: 'AVATAR_SETTINGS_INVALID',
    });
  };
  const o = (typeof data === 'object' && data !== null ? data : fail('(root)')) as Record<string, unknown>;
  const num = (v: unknown, key: string) => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : fail(key));
  const str = (v: unknown, key: string) => (typeof v === 'string' && v !== '' ? v : fail(key));
  const bool = (v: unknown, key: string) => (typeof v === 'boolean' ? v : fail(key));
  const jpeg = (typeof o.jpeg === 'object' && o.jpeg !== null ? o.jpeg : fail('jpeg')) as Record<string, unknown>;
  const quality = num(jpeg.quality, 'jpeg.quality');
  if (quality > 100) fail('jpeg.quality');
  return {
    width: num(o.width, 'width'),
    height: num(o.height, 'height'),
    fit: (FITS.includes(o.fit as string) ? o.fit : fail('fit')) as ThumbnailSettings['fit'],
    position: str(o.position, 'position'),
    background: str(o.background, 'background'),
    autoOrient: bool(o.autoOrient, 'autoOrient'),
    failOn: (FAIL_ON.includes(o.failOn as string) ? o.failOn : fail('failOn')) as ThumbnailSettings['failOn'],
    jpeg: {
      quality,
      progressive: bool(jpeg.progressive, 'jpeg.progressive'),
      chromaSubsampling: str(jpeg.chromaSubsampling, 'jpeg.chromaSubsampling'),
      mozjpeg: bool(jpeg.mozjpeg, 'jpeg.mozjpeg'),
    },
    ...(o.format === undefined ? {} : { format: (['jpeg', 'png', 'webp', 'avif'].includes(o.format as string) ? o.format : fail('format')) as ThumbnailSettings['format'] }),
    outputFolder: str(o.outputFolder, 'outputFolder'),
    outputExtension: str(o.outputExtension, 'outputExtension'),
    contentType: str(o.contentType, 'contentType'),
  };
}

let cached: ThumbnailSettings | undefined;

export function thumbnailSettings(): ThumbnailSettings {
  cached ??= parseThumbnailSettings(JSON.parse(readFileSync(SETTINGS_FILE, 'utf8')) as unknown);
  return cached;
}

/** sharp's default pixel limit (16383 x 16383): a decompression bomb is refused from its header. */
export const PIXEL_LIMIT = 268_402_689;
/** One image may take this long to decode and encode; a pathological file is stopped, not waited for. */
export const DECODE_TIMEOUT_SECONDS = 30;

/** The sharp pipeline for one input; the Lambda template's `thumbnail()` is the same chain. */
export async function thumbnailPipeline(input: Buffer | string, settings: ThumbnailSettings = thumbnailSettings()): Promise<Sharp> {
  const { default: sharp } = await import('sharp');
  let image = sharp(input, { failOn: settings.failOn, limitInputPixels: PIXEL_LIMIT }).timeout({ seconds: DECODE_TIMEOUT_SECONDS });
  if (settings.autoOrient) image = image.rotate();
  image = image.resize({ width: settings.width, height: settings.height, fit: settings.fit, position: settings.position });
  const format = settings.format ?? 'jpeg';
  if (format === 'jpeg') return image.flatten({ background: settings.background }).jpeg({ ...settings.jpeg, chromaSubsampling: settings.jpeg.chromaSubsampling });
  return image.toFormat(format);
}

/** A 512x512 JPEG avatar (the Lambda's output) from an image file path or its bytes. */
export async function thumbnail(input: Buffer | string, settings?: ThumbnailSettings): Promise<Buffer> {
  return (await thumbnailPipeline(input, settings)).toBuffer();
}

/** libvips threads per image so that `imagesAtOnce` images together use every core once. */
export function batchThreads(cores: number, imagesAtOnce: number): number {
  return Math.max(1, Math.floor(cores / Math.max(1, imagesAtOnce)));
}

/**
 * Batch settings (bench/thumbnails.js): images in parallel beat libvips threads on one image, so
 * each image gets cores / images-at-once threads (1 when there are as many images as cores), and
 * the operation cache is off because a batch reads every file once. The libuv pool (4 threads by
 * default) bounds how many images sharp decodes at once whatever --concurrency says.
 */
export async function configureSharpForBatch(imagesAtOnce: number): Promise<void> {
  const { default: sharp } = await import('sharp');
  const { availableParallelism } = await import('node:os');
  sharp.concurrency(batchThreads(availableParallelism(), imagesAtOnce));
  sharp.cache(false);
}
