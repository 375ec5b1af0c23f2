import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { mapLimit } from './pool.js';

export interface BuildFile {
  /** Relative path with `/` separators. */
  file: string;
  absPath: string;
  size: number;
}

export interface WalkResult {
  files: BuildFile[];
  /** Things skipped, each with why (broken links, symlink loops, sockets). */
  skipped: Array<{ file: string; reason: string }>;
}

const STAT_CONCURRENCY = 32;

/**
 * Every regular file under `root`, dotfiles included, symlinks followed (like `aws s3 sync`). A
 * directory is entered once by its real path, so a link back to an ancestor cannot loop.
 */
export async function walkBuildDir(root: string): Promise<WalkResult> {
  const files: BuildFile[] = [];
  const skipped: WalkResult['skipped'] = [];
  const entered = new Set<string>([await realpath(root)]);
  let dirs: Array<{ abs: string; rel: string }> = [{ abs: root, rel: '' }];
  while (dirs.length > 0) {
    const next: typeof dirs = [];
    const listed = await mapLimit(dirs, STAT_CONCURRENCY, async (dir) => ({ dir, entries: await readdir(dir.abs, { withFileTypes: true }) }));
    const candidates = listed.flatMap(({ dir, entries }) =>
      entries.map((entry) => ({ entry, abs: join(dir.abs, entry.name), rel: dir.rel ? `${dir.rel}/${entry.name}` : entry.name })),
    );
    await mapLimit(candidates, STAT_CONCURRENCY, async ({ entry, abs, rel }) => {
      if (entry.isDirectory() || entry.isFile()) {
        const info = entry.isFile() ? await lstat(abs) : undefined;
        if (entry.isDirectory()) {
          const real = await realpath(abs);
          if (!entered.has(real)) {
            entered.add(real);
            next.push({ abs, rel });
          }
        } else files.push({ file: rel, absPath: abs, size: info?.size ?? 0 });
        return;
      }
      if (entry.isSymbolicLink()) {
        let target;
        try {
          target = await stat(abs);
        } catch {
          skipped.push({ file: rel, reason: 'broken symbolic link' });
          return;
        }
        if (target.isFile()) files.push({ file: rel, absPath: abs, size: target.size });
        else if (target.isDirectory()) {
          const real = await realpath(abs);
          if (entered.has(real)) skipped.push({ file: rel, reason: 'symbolic link to a folder already synced (loop)' });
          else {
            entered.add(real);
            next.push({ abs, rel });
          }
        }
        return;
      }
      skipped.push({ file: rel, reason: 'not a regular file' });
    });
    dirs = next;
  }
  files.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { files, skipped };
}
