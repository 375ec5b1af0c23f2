import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { thumbnail } from '../src/avatar/transform.js';
import { near, pixel, writeAcceptanceSet } from './avatar/images.js';
import { parseJson, runCli } from './support/cli.js';
import { runCommand } from './support/command.js';
import { tempDir, type TempDir } from './support/tmp.js';

interface ProcessedFile {
  input: string;
  output?: string;
  status: 'ok' | 'failed';
  bytes?: number;
  ms: number;
  error?: string;
}
interface ProcessJson {
  processed: number;
  failed: number;
  files: ProcessedFile[];
}

describe('cruddur avatar process (built CLI, real sharp)', () => {
  let dir: TempDir;
  let set: { good: string[]; bad: string[] };
  beforeAll(async () => {
    dir = await tempDir('cruddur-avatar-');
    await writeFile(join(dir.path, 'notes.txt'), 'not an image');
    set = await writeAcceptanceSet(dir.path);
  });
  afterAll(async () => {
    await dir.cleanup();
  });

  it('makes 512x512 JPEGs from a folder, reports every bad file by name and exits 1', async () => {
    const result = await runCommand(['avatar', 'process', '.', '--out', 'out', '--concurrency', '3'], { cwd: dir.path });
    expect(result.exitCode).toBe(1);
    for (const bad of set.bad) expect(result.stderr).toMatch(new RegExp(`FAILED ${bad}: `));
    expect(result.stderr).toMatch(/FAILED empty\.jpg: empty file \(0 bytes\)/);
    expect(result.stderr).toMatch(/FAILED truncated\.jpg: truncated or corrupt image/);
    expect(result.stderr).toMatch(/FAILED photo\.heic: HEIC\/HEIF image that sharp cannot decode/);
    expect(result.stderr).toMatch(/Error: 3 of 7 files could not be made into avatars: empty\.jpg, photo\.heic, truncated\.jpg\nTry: /);
    // notes.txt is not picked from a folder; the good files are all written, nothing partial left behind.
    expect(result.stderr).not.toMatch(/notes\.txt/);
    expect((await readdir(join(dir.path, 'out'))).sort()).toEqual(['alpha.jpg', 'landscape.jpg', 'portrait.jpg', 'rotated.jpg']);
    for (const name of ['alpha', 'landscape', 'portrait', 'rotated']) {
      const meta = await sharp(join(dir.path, 'out', `${name}.jpg`)).metadata();
      expect(meta).toMatchObject({ format: 'jpeg', width: 512, height: 512, channels: 3 });
      expect(meta.exif).toBeUndefined();
    }
    // Centre crops: the red/blue split stays in the middle for both aspect ratios; EXIF 6 puts red on top.
    expect(near(await pixel(join(dir.path, 'out', 'landscape.jpg'), 100, 256), [255, 0, 0])).toBe(true);
    expect(near(await pixel(join(dir.path, 'out', 'landscape.jpg'), 412, 256), [0, 0, 255])).toBe(true);
    expect(near(await pixel(join(dir.path, 'out', 'portrait.jpg'), 100, 256), [255, 0, 0])).toBe(true);
    expect(near(await pixel(join(dir.path, 'out', 'rotated.jpg'), 256, 40), [255, 0, 0])).toBe(true);
    expect(near(await pixel(join(dir.path, 'out', 'rotated.jpg'), 256, 470), [0, 0, 255])).toBe(true);
    expect(near(await pixel(join(dir.path, 'out', 'alpha.jpg'), 60, 256), [255, 255, 255], 10)).toBe(true);
    // Byte-for-byte the shared transform (and so the Lambda's).
    expect((await readFile(join(dir.path, 'out', 'landscape.jpg'))).equals(await thumbnail(join(dir.path, 'landscape.jpg')))).toBe(true);
  });

  it('--json reports each file (input, output, bytes, ms) inside the error document', async () => {
    const result = await runCommand(['avatar', 'process', 'landscape.jpg', 'truncated.jpg', 'notes.txt', 'missing.jpg', '--out', 'json-out', '--json'], { cwd: dir.path });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe('');
    const doc = parseJson<{ error: { code: string; message: string; details: ProcessJson } }>(result);
    expect(doc.error.code).toBe('AVATAR_PROCESS_FAILED');
    expect(doc.error.details.processed).toBe(1);
    expect(doc.error.details.failed).toBe(3);
    const byInput = new Map(doc.error.details.files.map((f) => [f.input, f]));
    expect(byInput.get('landscape.jpg')).toMatchObject({ status: 'ok', output: join('json-out', 'landscape.jpg') });
    expect(byInput.get('landscape.jpg')?.bytes).toBeGreaterThan(1000);
    expect(typeof byInput.get('landscape.jpg')?.ms).toBe('number');
    expect(byInput.get('notes.txt')).toMatchObject({ status: 'failed', error: expect.stringMatching(/not an image/) });
    expect(byInput.get('missing.jpg')).toMatchObject({ status: 'failed', error: 'no such file or folder' });
    expect(byInput.get('truncated.jpg')?.status).toBe('failed');
    expect(await readdir(join(dir.path, 'json-out'))).toEqual(['landscape.jpg']);
  });

  it('exits 0 with one JSON document when every file works', async () => {
    // A process: avatar process's end-to-end success run.
    const result = await runCli(['avatar', 'process', 'portrait.jpg', 'alpha.png', '--out', 'ok-out', '--json'], { cwd: dir.path });
    expect(result.exitCode).toBe(0);
    const doc = parseJson<ProcessJson>(result);
    expect(doc.processed).toBe(2);
    expect(doc.files.map((f) => [f.input, f.output, f.status])).toEqual([
      ['portrait.jpg', join('ok-out', 'portrait.jpg'), 'ok'],
      ['alpha.png', join('ok-out', 'alpha.jpg'), 'ok'],
    ]);
  });

  it('refuses a bad --concurrency as a usage error', async () => {
    const result = await runCommand(['avatar', 'process', 'portrait.jpg', '--concurrency', '0'], { cwd: dir.path });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/Try: cruddur avatar process --help/);
  });

  it('names the reason for every truncated file when many fail at once (no "Unknown error" from the shared libvips error buffer)', async () => {
    const folder = join(dir.path, 'many-truncated');
    await mkdir(folder);
    const whole = await sharp({ create: { width: 1600, height: 1200, channels: 3, background: { r: 0, g: 0, b: 0 }, noise: { type: 'gaussian', mean: 128, sigma: 30 } } }).jpeg().toBuffer();
    await Promise.all(Array.from({ length: 40 }, (_, i) => writeFile(join(folder, `t${i}.jpg`), whole.subarray(0, Math.floor(whole.length * (0.3 + i / 100))))));
    const result = await runCommand(['avatar', 'process', 'many-truncated', '--out', 'many-out', '--concurrency', '8', '--json'], { cwd: dir.path });
    expect(result.exitCode).toBe(1);
    const files = parseJson<{ error: { details: ProcessJson } }>(result).error.details.files;
    expect(files).toHaveLength(40);
    expect(files.filter((f) => !/^truncated or corrupt image \(/.test(f.error ?? '')).map((f) => `${f.input}: ${f.error}`)).toEqual([]);
  });
});
