import type { CruddurError } from '../core/errors.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { alphaPng, halvesJpeg, near, pixel } from '../../test/avatar/images.js';
import { batchThreads, LAMBDA_TEMPLATE_DIR, parseThumbnailSettings, SETTINGS_FILE, thumbnail, thumbnailSettings } from './transform.js';

interface LambdaModule {
  SETTINGS: unknown;
  thumbnail(input: Buffer): Promise<Buffer>;
  outputKey(key: string, folder?: string): string;
}

const lambda = async () => (await import(pathToFileURL(join(LAMBDA_TEMPLATE_DIR, 'index.js')).href)) as LambdaModule;

describe('thumbnail settings', () => {
  it('are the Lambda template\'s file, read by both', async () => {
    const raw = JSON.parse(await readFile(SETTINGS_FILE, 'utf8')) as unknown;
    expect(thumbnailSettings()).toEqual(raw);
    expect((await lambda()).SETTINGS).toEqual(raw);
    expect(thumbnailSettings()).toMatchObject({ width: 512, height: 512, fit: 'cover', position: 'centre', autoOrient: true, outputFolder: 'avatars' });
  });

  it.each([
    ['width', { width: 0 }, /"width"/],
    ['fit', { fit: 'crop' }, /"fit"/],
    ['failOn', { failOn: 'never' }, /"failOn"/],
    ['jpeg.quality', { jpeg: { quality: 101, progressive: false, chromaSubsampling: '4:2:0', mozjpeg: false } }, /"jpeg.quality"/],
    ['autoOrient', { autoOrient: 'yes' }, /"autoOrient"/],
  ])('reject a bad %s', (_key, change, message) => {
    expect(() => parseThumbnailSettings({ ...thumbnailSettings(), ...change }, 'x.json')).toThrow(message);
  });

  it("says how to fix the user's own settings file, and to reinstall only for cruddur's template", () => {
    const own = (() => {
      try {
        parseThumbnailSettings({ ...thumbnailSettings(), width: 'abc' }, 'lambdas/process-images/thumbnail-settings.json');
      } catch (error) {
        return error as CruddurError;
      }
    })();
    expect(own?.suggestion).toBe('set "width" in lambdas/process-images/thumbnail-settings.json to a whole number of pixels above 0 (see docs/avatar.md)');
    expect(() => parseThumbnailSettings({ ...thumbnailSettings(), fit: 'crop' })).toThrow(expect.objectContaining({ suggestion: expect.stringMatching(/^reinstall cruddur/) }));
  });
});

describe('thumbnail', () => {
  it('makes the same bytes as the shipped Lambda handler', async () => {
    const { thumbnail: lambdaThumbnail } = await lambda();
    for (const input of [await halvesJpeg(1200, 900), await halvesJpeg(600, 400, { orientation: 6 }), await alphaPng()]) {
      const [ours, theirs] = await Promise.all([thumbnail(input), lambdaThumbnail(input)]);
      expect(ours.equals(theirs)).toBe(true);
    }
  });

  it('rotates by EXIF, covers 512x512 from the centre and strips metadata', async () => {
    const out = await thumbnail(await halvesJpeg(600, 400, { orientation: 6 }));
    const meta = await sharp(out).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 512, height: 512, channels: 3 });
    expect(meta.exif).toBeUndefined();
    expect(meta.orientation).toBeUndefined();
    // Orientation 6 turns the stored left (red) half to the top.
    expect(near(await pixel(out, 256, 40), [255, 0, 0])).toBe(true);
    expect(near(await pixel(out, 256, 470), [0, 0, 255])).toBe(true);
  });

  it('flattens transparency onto white', async () => {
    const out = await thumbnail(await alphaPng());
    expect(near(await pixel(out, 60, 256), [255, 255, 255], 10)).toBe(true);
    expect(near(await pixel(out, 450, 256), [0, 200, 0])).toBe(true);
  });

  it('names outputs like the Lambda', async () => {
    const { outputKey } = await lambda();
    expect(outputKey('uploads/Some Photo.png')).toBe('avatars/Some Photo.jpg');
    expect(outputKey('data.jpg', 'thumbs/')).toBe('thumbs/data.jpg');
  });
});

describe('batchThreads', () => {
  it.each([
    [2, 1, 2],
    [2, 2, 1],
    [2, 4, 1],
    [8, 2, 4],
    [8, 3, 2],
    [1, 0, 1],
  ])('%i cores, %i images at once -> %i threads each', (cores, images, threads) => {
    expect(batchThreads(cores, images)).toBe(threads);
  });
});
