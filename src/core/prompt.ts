import { createInterface } from 'node:readline/promises';
import { CruddurError } from './errors.js';
import { isInteractive } from './output.js';

/** Asks a question on the terminal; domain services receive this as a port so tests can answer. */
export type Confirm = (question: string, expected?: string) => Promise<boolean>;

export interface ConfirmOptions {
  /** --yes / --auto-approve given: no question asked. */
  assumeYes: boolean;
  /** The flag that skips the question, for the no-TTY error (`--yes`, `--auto-approve`). */
  yesFlag: string;
}

/**
 * Confirmation for destructive work: with `assumeYes` it passes; on a TTY it asks (for `expected`,
 * the user must type that exact text, e.g. the database name); without a TTY it refuses.
 */
export function terminalConfirm(options: ConfirmOptions): Confirm {
  return async (question, expected) => {
    if (options.assumeYes) return true;
    if (!isInteractive(process.stdout) || !process.stdin.isTTY) {
      throw new CruddurError(`Refusing to continue without confirmation: ${question}`, {
        suggestion: `run it in a terminal to confirm, or pass ${options.yesFlag} when you are sure`,
        code: 'CONFIRMATION_REQUIRED',
      });
    }
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      const prompt = expected ? `${question}\nType "${expected}" to continue: ` : `${question} [y/N] `;
      const answer = (await rl.question(prompt)).trim();
      return expected ? answer === expected : /^y(es)?$/i.test(answer);
    } finally {
      rl.close();
    }
  };
}
