/**
 * The one progress renderer: every command that shows progress on stderr draws it with these, a redrawn
 * line on a terminal and plain, throttled lines in CI or when piped (nothing at all for --json).
 */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(chunk: string): boolean;
}

/** `[#######.............] 7/20` for a terminal. */
export function progressBar(done: number, total: number, width = 20): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`;
}

/**
 * Progress of named phases (`upload: 120/300`): redrawn in place when `live`; otherwise one line per tenth
 * of the total (at least every 100 items) and the last, so CI logs stay short.
 */
export function phaseProgress(stream: ProgressStream, live: boolean): (progress: { phase: string; done: number; total: number }) => void {
  return ({ phase, done, total }) => {
    if (live) {
      stream.write(`\r${phase}: ${done}/${total}${done === total ? '\n' : ''}`);
      return;
    }
    const step = Math.max(1, Math.min(100, Math.ceil(total / 10)));
    if (done === total || done % step === 0) stream.write(`${phase}: ${done}/${total}\n`);
  };
}
