import { redact } from './redact.js';

/** What domain services log through; they never write to the terminal directly. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  /** Shown only with --verbose (or DEBUG=cruddur*). */
  debug(message: string): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, debug() {} };

/** A logger that writes redacted lines to stderr, keeping stdout for results and --json. */
export function stderrLogger(options: { verbose?: boolean } = {}): Logger {
  const verbose = options.verbose || /\bcruddur/.test(process.env.DEBUG ?? '');
  const write = (line: string) => process.stderr.write(`${redact(line)}\n`);
  return {
    info: write,
    warn: (message) => write(`Warning: ${message}`),
    debug: (message) => {
      if (verbose) write(`debug: ${message}`);
    },
  };
}

/** True when spinners and prompts make sense: a TTY and not CI. */
export function isInteractive(stream: NodeJS.WriteStream = process.stdout): boolean {
  const ci = process.env.CI;
  return Boolean(stream.isTTY) && !(ci && ci !== 'false' && ci !== '0');
}

/** "1 object", "3 objects": a count with its noun (plural by `s` unless given). */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}
