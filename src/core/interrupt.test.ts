import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDir, type TempDir } from '../../test/support/tmp.js';

// A child that writes a large file atomically and is interrupted mid-write: it must exit 130 with the
// message and leave neither the target nor a temp file behind.
const script = (dir: string) => `
import { installInterruptHandler } from '${join(REPO_ROOT, 'src/core/interrupt.ts')}';
import { writeFilesAtomic } from '${join(REPO_ROOT, 'src/core/fs.ts')}';
installInterruptHandler((m) => process.stderr.write(m + '\\n'));
const content = Buffer.alloc(64 * 1024 * 1024, 1);
process.stdout.write('writing\\n');
await writeFilesAtomic(Array.from({ length: 50 }, (_, i) => ({ path: '${dir}/out' + i + '.bin', content })));
process.stdout.write('done\\n');
`;

describe('interrupts', () => {
  let dir: TempDir;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await dir.cleanup();
  });

  it('SIGINT during an atomic write exits 130 with a message and leaves no temp files', async () => {
    // TSX_DISABLE_CACHE: tsx would otherwise leave its transform cache (tsx-<uid>) in the temp folder after the run.
    const child = execa(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script(dir.path)], {
      cwd: REPO_ROOT,
      env: { TSX_DISABLE_CACHE: '1' },
      reject: false,
    });
    // Wait until the child says it started writing, then interrupt it.
    await new Promise<void>((resolve) => child.stdout?.once('data', () => resolve()));
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(result.stderr).toContain('Interrupted (SIGINT)');
    expect(result.stdout).not.toContain('done');
    const left = await readdir(dir.path);
    expect(left.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(left.filter((f) => f.startsWith('out'))).toEqual([]);
    expect(existsSync(join(dir.path, 'out0.bin'))).toBe(false);
  });
});
