import { extname, join, parse, posix, resolve } from 'node:path';

/** Extensions picked from a folder; files named explicitly are tried whatever their name. */
export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif', '.heic', '.heif', '.svg'];

export function isImageName(name: string): boolean {
  return !parse(name).base.startsWith('.') && IMAGE_EXTENSIONS.includes(extname(name).toLowerCase());
}

/** The Lambda's naming: `path/Photo.PNG` -> `Photo.jpg`. */
export function outputName(input: string, extension = '.jpg'): string {
  return `${parse(input).name}${extension}`;
}

/** The assets key the Lambda writes for an uploads key: `me/Photo.png` -> `avatars/Photo.jpg`. */
export function assetsKey(uploadKey: string, folder = 'avatars', extension = '.jpg'): string {
  return `${folder.replace(/\/+$/, '')}/${posix.parse(uploadKey).name}${extension}`;
}

export interface PlannedJob {
  input: string;
  output: string;
}

export interface RejectedInput {
  input: string;
  reason: string;
}

/**
 * Pairs every input with its output in `outDir`. Two inputs that would write the same file (a.png,
 * a.jpg) and an output that would overwrite any input (its own, or another's: `--out` the inputs' folder
 * with me.jpg and me.png) are rejected with a reason, never raced: no input is ever written over.
 */
export function planOutputs(inputs: string[], outDir: string, extension = '.jpg'): { jobs: PlannedJob[]; rejected: RejectedInput[] } {
  const jobs: PlannedJob[] = [];
  const rejected: RejectedInput[] = [];
  const claimed = new Map<string, string>();
  const seen = new Set<string>();
  const inputPaths = new Map(inputs.map((input) => [resolve(input), input]));
  for (const input of inputs) {
    const absolute = resolve(input);
    if (seen.has(absolute)) continue;
    seen.add(absolute);
    const output = join(outDir, outputName(input, extension));
    const absoluteOut = resolve(output);
    const owner = claimed.get(absoluteOut);
    if (owner !== undefined) {
      rejected.push({ input, reason: `would write ${output}, which ${owner} already writes (rename one of them)` });
    } else if (absoluteOut === absolute) {
      rejected.push({ input, reason: `would overwrite itself with its thumbnail (choose another --out)` });
    } else if (inputPaths.has(absoluteOut)) {
      rejected.push({ input, reason: `would write ${output}, which is the input ${inputPaths.get(absoluteOut) ?? output} (choose another --out)` });
    } else {
      claimed.set(absoluteOut, input);
      jobs.push({ input, output });
    }
  }
  return { jobs, rejected };
}

/** The Try: line for a file sharp could not read, matching describeImageError's reason. */
export function imageErrorSuggestion(message: string, size?: number): string {
  if (size === 0 || /premature end|truncated|unexpected end|corrupt|due to failOn/i.test(message)) return 'export or download the image again (the file is incomplete), then retry';
  if (/pixel limit/i.test(message)) return 'resize it below 268 megapixels (for example to 4000x3000) and upload that';
  if (/heif:/i.test(message)) return 'convert it to JPEG or PNG first';
  return 'upload a JPEG, PNG, WebP, GIF, TIFF or AVIF file';
}

/** A one-line reason for a file sharp could not turn into an avatar (its messages can span lines and paths). */
export function describeImageError(message: string, size?: number): string {
  if (size === 0) return 'empty file (0 bytes)';
  const lines = message.split('\n').map((l) => l.trim()).filter(Boolean);
  const last = lines[lines.length - 1] ?? message;
  if (/unsupported image format/i.test(message)) return 'not an image in a supported format (JPEG, PNG, WebP, GIF, TIFF, AVIF, SVG)';
  if (/heif:/i.test(message)) return `HEIC/HEIF image that sharp cannot decode (${last}); convert it to JPEG or PNG first`;
  if (/premature end|truncated|unexpected end|corrupt|due to failOn/i.test(message)) return `truncated or corrupt image (${last})`;
  if (/pixel limit/i.test(message)) return 'image is larger than the pixel limit (268 megapixels)';
  return last;
}
