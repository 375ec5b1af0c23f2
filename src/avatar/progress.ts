import { progressBar, type ProgressStream } from '../core/progress.js';
import { redact } from '../core/redact.js';
import type { ProcessedFile, ProcessHooks } from './process.js';

export { progressBar, type ProgressStream };

/** One line per file, e.g. `[3/40] ok  a.jpg -> avatars/a.jpg (512x512, 41.2 kB, 120 ms)`. */
export function fileLine(file: ProcessedFile, done: number, total: number): string {
  const counter = `[${done}/${total}]`;
  if (file.status === 'failed') return `${counter} FAILED ${file.input}: ${file.error ?? 'failed'}`;
  const size = file.bytes === undefined ? '' : `${(file.bytes / 1000).toFixed(1)} kB, `;
  return `${counter} ok ${file.input} -> ${file.output} (${file.width}x${file.height}, ${size}${file.ms} ms)`;
}

/**
 * Progress on stderr: a redrawn bar on a terminal (failures still get their own line), plain lines
 * in CI or when piped, nothing for --json.
 */
export function progressReporter(stream: ProgressStream, options: { interactive: boolean; silent: boolean }): ProcessHooks & { finish(): void } {
  if (options.silent) return { finish() {} };
  if (!options.interactive) {
    return {
      onFile: (file, done, total) => stream.write(`${redact(fileLine(file, done, total))}\n`),
      finish() {},
    };
  }
  let drawn = false;
  const clear = () => {
    if (drawn) stream.write('\r\u001B[2K');
    drawn = false;
  };
  return {
    onPlan: (total) => {
      stream.write(progressBar(0, total));
      drawn = true;
    },
    onFile: (file, done, total) => {
      clear();
      if (file.status === 'failed') stream.write(`${redact(fileLine(file, done, total))}\n`);
      const name = file.input.length > 40 ? `…${file.input.slice(-39)}` : file.input;
      stream.write(`${progressBar(done, total)} ${redact(name)}`);
      drawn = true;
    },
    finish: clear,
  };
}
