import { describe, expect, it } from 'vitest';
import type { ProcessedFile } from './process.js';
import { fileLine, progressBar, progressReporter } from './progress.js';

const ok: ProcessedFile = { input: 'a.png', output: 'avatars/a.jpg', status: 'ok', bytes: 41234, width: 512, height: 512, ms: 120 };
const bad: ProcessedFile = { input: 'b.jpg', status: 'failed', ms: 3, error: 'empty file (0 bytes)' };

function stream() {
  const chunks: string[] = [];
  return { chunks, write: (c: string) => chunks.push(c) > 0 };
}

describe('progress output', () => {
  it.each([
    [ok, 1, 2, '[1/2] ok a.png -> avatars/a.jpg (512x512, 41.2 kB, 120 ms)'],
    [bad, 2, 2, '[2/2] FAILED b.jpg: empty file (0 bytes)'],
  ])('fileLine %#', (file, done, total, line) => {
    expect(fileLine(file, done, total)).toBe(line);
  });

  it.each([
    [0, 4, '[....................] 0/4'],
    [1, 4, '[#####...............] 1/4'],
    [4, 4, '[####################] 4/4'],
    [0, 0, '[####################] 0/0'],
  ])('progressBar(%i, %i)', (done, total, bar) => {
    expect(progressBar(done, total)).toBe(bar);
  });

  it('prints one plain line per file in CI', () => {
    const s = stream();
    const p = progressReporter(s, { interactive: false, silent: false });
    p.onPlan?.(2);
    p.onFile?.(ok, 1, 2);
    p.onFile?.(bad, 2, 2);
    p.finish();
    expect(s.chunks.join('')).toBe(`${fileLine(ok, 1, 2)}\n${fileLine(bad, 2, 2)}\n`);
  });

  it('redraws one bar on a terminal, keeping failures on their own lines, and clears it at the end', () => {
    const s = stream();
    const p = progressReporter(s, { interactive: true, silent: false });
    p.onPlan?.(2);
    p.onFile?.(bad, 1, 2);
    p.onFile?.(ok, 2, 2);
    p.finish();
    expect(s.chunks).toEqual([
      progressBar(0, 2),
      '\r\u001B[2K',
      `${fileLine(bad, 1, 2)}\n`,
      `${progressBar(1, 2)} b.jpg`,
      '\r\u001B[2K',
      `${progressBar(2, 2)} a.png`,
      '\r\u001B[2K',
    ]);
  });

  it('writes nothing for --json', () => {
    const s = stream();
    const p = progressReporter(s, { interactive: true, silent: true });
    p.onPlan?.(1);
    p.onFile?.(ok, 1, 1);
    p.finish();
    expect(s.chunks).toEqual([]);
  });
});
