import { createHash } from 'node:crypto';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, type TempDir } from '../../test/support/tmp.js';
import { md5File, multipartEtag } from './hash.js';
import { walkBuildDir } from './walk.js';

let dir: TempDir;
beforeAll(async () => {
  dir = await tempDir('cruddur-walk-');
});
afterAll(async () => {
  await dir.cleanup();
});

describe('walkBuildDir', () => {
  it('lists dotfiles, follows links to files, and does not loop on a link to an ancestor', async () => {
    const root = join(dir.path, 'build');
    await mkdir(join(root, 'static', 'js'), { recursive: true });
    await mkdir(join(root, '.well-known'), { recursive: true });
    await writeFile(join(root, 'index.html'), '<html>');
    await writeFile(join(root, '.well-known', 'security.txt'), 'x');
    await writeFile(join(root, 'static', 'js', 'a.js'), 'a');
    await symlink(join(root, 'index.html'), join(root, 'alias.html'));
    await symlink(root, join(root, 'static', 'loop'));
    await symlink(join(root, 'missing'), join(root, 'broken'));
    const result = await walkBuildDir(root);
    expect(result.files.map((f) => [f.file, f.size])).toEqual([
      ['.well-known/security.txt', 1],
      ['alias.html', 6],
      ['index.html', 6],
      ['static/js/a.js', 1],
    ]);
    expect(result.skipped).toEqual([
      { file: 'broken', reason: 'broken symbolic link' },
      { file: 'static/loop', reason: 'symbolic link to a folder already synced (loop)' },
    ]);
  });
});

describe('hashing', () => {
  it('md5File matches a one-shot digest for small and streamed files', async () => {
    const small = join(dir.path, 'small.bin');
    const big = join(dir.path, 'big.bin');
    const bigBytes = Buffer.alloc(3 * 1024 * 1024 + 7, 7);
    await writeFile(small, 'hello');
    await writeFile(big, bigBytes);
    expect(await md5File(small, 5)).toBe(createHash('md5').update('hello').digest('hex'));
    expect(await md5File(big, bigBytes.length)).toBe(createHash('md5').update(bigBytes).digest('hex'));
  });

  it('multipartEtag is the MD5 of the part MD5s with the part count', async () => {
    const file = join(dir.path, 'parts.bin');
    const bytes = Buffer.from(Array.from({ length: 2500 }, (_, i) => i % 251));
    await writeFile(file, bytes);
    const md5 = (b: Buffer) => createHash('md5').update(b).digest();
    const expected = `${createHash('md5')
      .update(Buffer.concat([md5(bytes.subarray(0, 1000)), md5(bytes.subarray(1000, 2000)), md5(bytes.subarray(2000))]))
      .digest('hex')}-3`;
    expect(await multipartEtag(file, bytes.length, 1000)).toBe(expected);
  });
});
