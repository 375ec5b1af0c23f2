import { existsSync } from 'node:fs';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir, type TempDir } from '../../test/support/tmp.js';
import { withStartLock } from './start-lock.js';

describe('withStartLock', () => {
  const dirs: TempDir[] = [];
  afterAll(async () => {
    for (const d of dirs) await d.cleanup();
  });
  const lockIn = async () => {
    const dir = await tempDir('cruddur-lock-');
    dirs.push(dir);
    return `${dir.path}/postgres.lock`;
  };

  it('serialises callers and removes the lock afterwards', async () => {
    const lock = await lockIn();
    const order: string[] = [];
    const job = (name: string) =>
      withStartLock(lock, async () => {
        order.push(`${name} in`);
        await Promise.resolve();
        order.push(`${name} out`);
      });
    await Promise.all([job('a'), job('b')]);
    // Whoever wins, the two never interleave.
    const first = order[0]?.split(' ')[0];
    const second = first === 'a' ? 'b' : 'a';
    expect(order).toEqual([`${first} in`, `${first} out`, `${second} in`, `${second} out`]);
    expect(existsSync(lock)).toBe(false);
  });

  it('takes over a lock left by a dead process', async () => {
    const lock = await lockIn();
    await mkdir(lock);
    await writeFile(`${lock}/pid`, '999999999');
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    expect(await withStartLock(lock, async () => 'ran')).toBe('ran');
  });

  it('gives up with a clear error while a live process holds it', async () => {
    const lock = await lockIn();
    await mkdir(lock);
    await writeFile(`${lock}/pid`, String(process.pid));
    await expect(withStartLock(lock, async () => 'ran', 300)).rejects.toThrow(/Another cruddur process is still starting the local PostgreSQL/);
  });
});
