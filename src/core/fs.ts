import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, open, readlink, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { rmSync } from 'node:fs';
import { CruddurError } from './errors.js';
import { onInterrupt } from './interrupt.js';

export interface FileToWrite {
  path: string;
  content: string | Uint8Array;
  mode?: number;
}

/** Symlink hops followed before giving up (Linux's MAXSYMLINKS). */
const MAX_SYMLINK_HOPS = 40;

/**
 * The file a write to `path` lands in: `path` itself, or, when it is a symlink, the file the chain of links
 * points to (relative links resolve against the link's folder), whether that file exists yet or not. This is
 * what `File.write` (Ruby), `echo >` and every editor do; renaming a temp file over the link itself would
 * replace the link with a regular file and leave its target stale. A loop is a CruddurError (FS_SYMLINK_LOOP).
 */
export async function writeTarget(path: string): Promise<string> {
  let current = resolve(path);
  for (let hop = 0; hop < MAX_SYMLINK_HOPS; hop++) {
    const info = await lstat(current).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (!info?.isSymbolicLink()) return current;
    current = resolve(dirname(current), await readlink(current));
  }
  throw symlinkLoop(path);
}

/** The error for a path whose symbolic links never end in a file (`ln -s a.env a.env`). */
export function symlinkLoop(path: string): CruddurError {
  return new CruddurError(`${path} is a loop of symbolic links`, { suggestion: `remove the link (rm ${path}) or point it at a file`, code: 'FS_SYMLINK_LOOP' });
}

/**
 * Writes every file atomically: each goes to a temp file beside its target (same filesystem), is
 * flushed, then renamed over the target. A target that is a symlink is written through: the temp goes
 * beside the file it points to and replaces that file (writeTarget), the link stays. All temps are
 * written before any rename, so a failure while writing leaves every target untouched and no temp behind.
 */
export async function writeFilesAtomic(files: FileToWrite[]): Promise<void> {
  const temps: Array<{ temp: string; target: string }> = [];
  const forget = onInterrupt(() => {
    for (const { temp } of temps) rmSync(temp, { force: true });
  });
  try {
    for (const file of files) {
      const target = await writeTarget(file.path);
      await mkdir(dirname(target), { recursive: true });
      const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
      temps.push({ temp, target });
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
