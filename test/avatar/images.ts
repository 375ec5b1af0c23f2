import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';

/** Test images generated with sharp, so no binary fixtures live in the repository. */

/** A JPEG with a red left half and a blue right half (orientation checks read the pixels). */
export async function halvesJpeg(width: number, height: number, options: { orientation?: number } = {}): Promise<Buffer> {
  const half = Math.floor(width / 2);
  let image = sharp({ create: { width, height, channels: 3, background: '#0000ff' } })
    .composite([{ input: { create: { width: half, height, channels: 3, background: '#ff0000' } }, left: 0, top: 0 }])
    .jpeg({ quality: 90 });
  if (options.orientation) image = image.withMetadata({ orientation: options.orientation });
  return image.toBuffer();
}

/** A PNG whose left half is fully transparent and right half opaque green. */
export async function alphaPng(width = 800, height = 800): Promise<Buffer> {
  const half = Math.floor(width / 2);
  return sharp({ create: { width, height, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
    .composite([{ input: { create: { width: width - half, height, channels: 4, background: { r: 0, g: 200, b: 0, alpha: 1 } } }, left: half, top: 0 }])
    .png()
    .toBuffer();
}

/** A HEIC-branded file with an HEVC item, which sharp's prebuilt libvips cannot decode. */
export async function heicFile(): Promise<Buffer> {
  const avif = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#00ff00' } }).heif({ compression: 'av1' }).toBuffer();
  return Buffer.from(avif.toString('latin1').replaceAll('avif', 'heic').replaceAll('av01', 'hvc1'), 'latin1');
}

export async function truncatedJpeg(): Promise<Buffer> {
  const jpeg = await halvesJpeg(800, 600);
  return jpeg.subarray(0, Math.floor(jpeg.length / 2));
}

/** Writes the acceptance set into `dir` and returns the good and bad names. */
export async function writeAcceptanceSet(dir: string): Promise<{ good: string[]; bad: string[] }> {
  const files: Array<[string, Buffer | Promise<Buffer>]> = [
    ['landscape.jpg', halvesJpeg(4000, 3000)],
    ['portrait.jpg', halvesJpeg(3000, 4000)],
    ['alpha.png', alphaPng()],
    ['rotated.jpg', halvesJpeg(600, 400, { orientation: 6 })],
    ['photo.heic', heicFile()],
    ['truncated.jpg', truncatedJpeg()],
    ['empty.jpg', Buffer.alloc(0)],
  ];
  await Promise.all(files.map(async ([name, data]) => writeFile(join(dir, name), await data)));
  return { good: ['alpha.png', 'landscape.jpg', 'portrait.jpg', 'rotated.jpg'], bad: ['empty.jpg', 'photo.heic', 'truncated.jpg'] };
}

/** The RGB of one pixel of an image. */
export async function pixel(image: Buffer | string, x: number, y: number): Promise<[number, number, number]> {
  const { data, info } = await sharp(image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * info.channels;
  return [data[i] ?? -1, data[i + 1] ?? -1, data[i + 2] ?? -1];
}

/** Whether a colour is close to another (JPEG is lossy). */
export function near(actual: [number, number, number], expected: [number, number, number], tolerance = 40): boolean {
  return actual.every((v, i) => Math.abs(v - (expected[i] ?? 0)) <= tolerance);
}
