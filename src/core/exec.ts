import { CruddurError } from './errors.js';
import { withTerminalChild } from './interrupt.js';

export interface ExecOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Text written to the child's stdin (never logged). */
  input?: string;
  /** Inherit the terminal (for psql, npm run build). */
  inherit?: boolean;
  /** How to install the program when it is missing, for the error's suggestion. */
  installHint?: string;
  timeoutMs?: number;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs a program through execa without a shell. A missing program is a CruddurError naming it. */
export async function execProgram(file: string, args: string[], options: ExecOptions = {}): Promise<ExecResult> {
  const { execa } = await import('execa');
  try {
    const start = () => execa(file, args, {
      cwd: options.cwd,
      env: options.env,
      extendEnv: true,
      input: options.input,
      stdin: options.input === undefined ? (options.inherit ? 'inherit' : 'ignore') : undefined,
      stdout: options.inherit ? 'inherit' : 'pipe',
      stderr: options.inherit ? 'inherit' : 'pipe',
      reject: false,
      timeout: options.timeoutMs,
    });
    const result = options.inherit ? await withTerminalChild(start) : await start();
    if (result.failed && result.exitCode === undefined) {
      const code = (result as { code?: string }).code ?? (result.cause as { code?: string } | undefined)?.code;
      if (code === 'ENOENT') throw missingProgram(file, options.installHint);
      throw new CruddurError(`${file} could not be run: ${result.shortMessage}`, { suggestion: `check that ${file} works on its own` });
    }
    return {
      exitCode: result.exitCode ?? 1,
      stdout: typeof result.stdout === 'string' ? result.stdout : '',
      stderr: typeof result.stderr === 'string' ? result.stderr : '',
    };
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') throw missingProgram(file, options.installHint);
    throw error;
  }
}

function missingProgram(file: string, hint: string | undefined): CruddurError {
  return new CruddurError(`${file} is not installed (not found on PATH)`, {
    suggestion: hint ?? `install ${file} and make sure it is on PATH`,
    code: 'PROGRAM_MISSING',
  });
}

/** Whether a program is on PATH, without running it. */
export async function hasProgram(file: string, env: Record<string, string | undefined> = process.env): Promise<boolean> {
  const { access } = await import('node:fs/promises');
  const { delimiter, join } = await import('node:path');
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      await access(join(dir, file), 1);
      return true;
    } catch {
      // keep looking
    }
  }
  return false;
}
