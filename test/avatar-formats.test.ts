import { createServer, type Server } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { S3Store } from '../src/aws/s3-store.js';
import { silentLogger } from '../src/core/output.js';
import { thumbnail, thumbnailSettings } from '../src/avatar/transform.js';
import { uploadAvatar } from '../src/avatar/upload.js';
import { halvesJpeg, heicFile, near, pixel, truncatedJpeg } from './avatar/images.js';
import { tempDir, type TempDir } from './support/tmp.js';
import { recordingUploader } from './avatar/recording-uploader.js';

/**
 * The format table (issue 16): every kind of file a phone, a browser or an editor makes, each with
 * what `avatar upload` must do (accept with its Content-Type, or refuse with the file's name and why)
 * and, when accepted, that the transform makes an avatar of it. Images are generated with sharp.
 */

const solid = (background: string, width = 64, height = 48) => sharp({ create: { width, height, channels: 3, background } });

/** The Samsung case: a baseline JPEG whose SOS header says Se=0 (libjpeg: "Invalid SOS parameters for sequential JPEG", a warning). */
async function samsungSosJpeg(): Promise<Buffer> {
  const jpeg = Buffer.from(await halvesJpeg(640, 480));
  const sos = jpeg.indexOf(Buffer.from([0xff, 0xda]));
  const components = jpeg[sos + 4] ?? 0;
  const se = sos + 4 + 1 + components * 2 + 1;
  expect(jpeg[se]).toBe(63);
  jpeg[se] = 0;
  return jpeg;
}

/** A PNG header claiming 20000 x 20000 pixels (400 megapixels) with almost no data: a decompression bomb. */
function bombPng(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(20000, 0);
  ihdr.writeUInt32BE(20000, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(20001))), chunk('IEND', Buffer.alloc(0))]);
}

async function animated(format: 'webp' | 'gif'): Promise<Buffer> {
  const frames = await Promise.all(['#ff0000', '#0000ff'].map((c) => solid(c, 64, 64).png().toBuffer()));
  const image = sharp(frames, { join: { animated: true } });
  return (format === 'webp' ? image.webp() : image.gif()).toBuffer();
}

let svgServer: Server;
let svgRequests = 0;
let svgUrl = '';

type Case = [name: string, file: string, make: () => Promise<Buffer> | Buffer, expected: { contentType: string } | { error: RegExp }];

const CASES: Case[] = [
  ['JPEG baseline', 'baseline.jpg', () => halvesJpeg(640, 480), { contentType: 'image/jpeg' }],
  ['JPEG progressive', 'progressive.jpg', () => solid('#336699').jpeg({ progressive: true }).toBuffer(), { contentType: 'image/jpeg' }],
  ['JPEG CMYK', 'cmyk.jpg', () => solid('#336699').toColourspace('cmyk').jpeg().toBuffer(), { contentType: 'image/jpeg' }],
  ['JPEG grayscale', 'gray.jpg', () => solid('#777777').greyscale().jpeg().toBuffer(), { contentType: 'image/jpeg' }],
  ['JPEG with non-standard SOS parameters (Samsung)', 'samsung.jpg', samsungSosJpeg, { contentType: 'image/jpeg' }],
  ['JPEG truncated', 'truncated.jpg', truncatedJpeg, { error: /truncated\.jpg is not an image the thumbnail Lambda can read: .*(premature end|truncated|corrupt)/i }],
  ['PNG 8-bit', 'rgb8.png', () => solid('#336699').png().toBuffer(), { contentType: 'image/png' }],
  ['PNG 16-bit', 'rgb16.png', () => solid('#336699').toColourspace('rgb16').png().toBuffer(), { contentType: 'image/png' }],
  ['PNG palette', 'palette.png', () => solid('#336699').png({ palette: true }).toBuffer(), { contentType: 'image/png' }],
  ['PNG alpha', 'alpha.png', () => sharp({ create: { width: 64, height: 48, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer(), { contentType: 'image/png' }],
  ['WebP lossy', 'lossy.webp', () => solid('#336699').webp({ quality: 70 }).toBuffer(), { contentType: 'image/webp' }],
  ['WebP lossless', 'lossless.webp', () => solid('#336699').webp({ lossless: true }).toBuffer(), { contentType: 'image/webp' }],
  ['WebP animated', 'animated.webp', () => animated('webp'), { contentType: 'image/webp' }],
  ['GIF animated', 'animated.gif', () => animated('gif'), { contentType: 'image/gif' }],
  ['TIFF', 'scan.tiff', () => solid('#336699').tiff().toBuffer(), { contentType: 'image/tiff' }],
  ['AVIF', 'photo.avif', () => solid('#336699').avif().toBuffer(), { contentType: 'image/avif' }],
  ['HEIC (HEVC)', 'iphone.heic', heicFile, { error: /iphone\.heic: HEIC image coded with .*which sharp \(and so the thumbnail Lambda\) cannot decode/ }],
  ['SVG with an external image', 'external.svg', () => Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="64" height="64"><rect width="64" height="64" fill="#336699"/><image href="${svgUrl}" xlink:href="${svgUrl}" width="64" height="64"/></svg>`), { contentType: 'image/svg+xml' }],
  ['SVG larger than the pixel limit', 'huge.svg', () => Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="30000" height="30000"><rect width="30000" height="30000" fill="#336699"/></svg>'), { error: /huge\.svg is not an image the thumbnail Lambda can read: image is larger than the pixel limit/ }],
  ['decompression bomb (PNG, 400 megapixels)', 'bomb.png', bombPng, { error: /bomb\.png is not an image the thumbnail Lambda can read: image is larger than the pixel limit/ }],
  ['not an image', 'notes.jpg', () => Buffer.from('just text'), { error: /notes\.jpg is not an image the thumbnail Lambda can read: not an image in a supported format/ }],
];


describe('avatar upload: the format table (decode before upload)', () => {
  let dir: TempDir;
  beforeAll(async () => {
    dir = await tempDir('cruddur-formats-');
    svgServer = createServer((_req, res) => {
      svgRequests += 1;
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end();
    });
    await new Promise<void>((resolve) => svgServer.listen(0, '127.0.0.1', resolve));
    svgUrl = `http://127.0.0.1:${(svgServer.address() as { port: number }).port}/tracker.png`;
  });
  afterAll(async () => {
    svgServer.closeAllConnections();
    await new Promise((resolve) => svgServer.close(resolve));
    await dir.cleanup();
  });

  it.each(CASES)('%s (%s)', async (_name, file, make, expected) => {
    const path = join(dir.path, file);
    const data = await make();
    await writeFile(path, data);
    const uploader = recordingUploader();
    const outcome = await uploadAvatar({ file: path, uploadsBucket: 'uploads', wait: false, timeoutMs: 1000 }, { store: {} as S3Store, uploader, logger: silentLogger }).catch((e: unknown) => e as Error);
    if ('error' in expected) {
      expect(outcome).toBeInstanceOf(Error);
      expect((outcome as Error).message).toMatch(expected.error);
      expect((outcome as Error).message).toContain(path);
      expect(uploader.inputs).toHaveLength(0);
      return;
    }
    if (outcome instanceof Error) throw outcome;
    expect(outcome.contentType).toBe(expected.contentType);
    expect(uploader.inputs[0]?.contentType).toBe(expected.contentType);
    // What was accepted is what processing makes an avatar of.
    const avatar = await thumbnail(data);
    expect(await sharp(avatar).metadata()).toMatchObject({ format: 'jpeg', width: thumbnailSettings().width, height: thumbnailSettings().height });
  });

  it('fetched nothing for the SVG that links an external image', () => {
    expect(svgRequests).toBe(0);
  });

  it('the Samsung JPEG is what sharp refuses when it fails on warnings (the reported error), and decodes with failOn "error"', async () => {
    const jpeg = await samsungSosJpeg();
    await expect(sharp(jpeg, { failOn: 'warning' }).toBuffer()).rejects.toThrow(/Invalid SOS parameters for sequential JPEG/);
    expect(thumbnailSettings().failOn).toBe('error');
    expect(near(await pixel(await thumbnail(jpeg), 10, 256), [255, 0, 0])).toBe(true);
  });

  it.each([
    [1, 'left', [255, 0, 0]],
    [2, 'left', [0, 0, 255]],
    [3, 'left', [0, 0, 255]],
    [4, 'left', [255, 0, 0]],
    [5, 'top', [255, 0, 0]],
    [6, 'top', [255, 0, 0]],
    [7, 'top', [0, 0, 255]],
    [8, 'top', [0, 0, 255]],
  ] as const)('EXIF orientation %d: the %s edge is %j after the transform', async (orientation, edge, colour) => {
    // Landscape 600x400, red left half: after rotation the red half is where the orientation puts it.
    const avatar = await thumbnail(await halvesJpeg(600, 400, { orientation }));
    const [x, y] = edge === 'left' ? [5, 256] : [256, 5];
    expect(near(await pixel(avatar, x, y), [...colour])).toBe(true);
  });
});
