import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { rmSync } from 'node:fs';
import { onInterrupt } from './interrupt.js';

export interface FileToWrite {
  path: string;
  content: string | Uint8Array;
  mode?: number;
}

/**
 * Writes every file atomically: each goes to a temp file beside its target (same filesystem), is
 * flushed, then renamed over the target. All temps are written before any rename, so a failure
 * while writing leaves every target untouched and no temp behind.
 */
export async function writeFilesAtomic(files: FileToWrite[]): Promise<void> {
  const temps: Array<{ temp: string; target: string }> = [];
  const forget = onInterrupt(() => {
    for (const { temp } of temps) rmSync(temp, { force: true });
  });
  try {
    for (const file of files) {
      await mkdir(dirname(file.path), { recursive: true });
      const temp = join(dirname(file.path), `.${basename(file.path)}.${randomBytes(6).toString('hex')}.tmp`);
      temps.push({ temp, target: file.path });
      const handle = await open(temp, 'wx', file.mode ?? 0o644);
      try {
        await handle.writeFile(file.content);
        await handle.sync();
      } finally {
        await handle.close();
      }
      // open()'s mode is filtered by the umask; set it exactly.
      await chmod(temp, file.mode ?? 0o644);
    }
  } catch (error) {
    await Promise.all(temps.map(({ temp }) => rm(temp, { force: true })));
    forget();
    throw error;
  }
  for (const { temp, target } of temps) await rename(temp, target);
  forget();
}
