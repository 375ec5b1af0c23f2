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
  /** Run as this user and group (root only; the local PostgreSQL runs as `postgres`). */
  uid?: number;
  gid?: number;
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
      ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.gid }),
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

export interface NodeServiceOptions {
  /** Flags for node itself, e.g. `--openssl-legacy-provider`. */
  nodeArgs?: string[];
  cwd?: string;
  /**
   * Keep running after this process exits (`local up`). Otherwise the child is tied to this process: its stdin is a
   * pipe from us, and the service is expected to stop when that pipe closes.
   */
  detached?: boolean;
  /** Pass the child's stderr through to ours (`local up --foreground`). */
  inheritStderr?: boolean;
  /** How long to wait for the ready line, in ms (default 60 000). */
  readyTimeoutMs?: number;
}

export interface NodeService {
  pid: number;
  /** The ready line the service printed, parsed (never containing `error`). */
  ready: Record<string, unknown>;
  /** SIGTERM, then SIGKILL after `graceMs` (default 5 000 ms); resolves once the child has exited. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts a Node script as a long-running service (`node <nodeArgs> <script> <...args>`) and waits for its first
 * stdout line, a JSON object: `{"error": "..."}` or an early exit rejects with that reason, anything else is the
 * ready message. Rejects (after killing the child) when no line comes within `readyTimeoutMs`.
 */
export async function startNodeService(script: string, args: string[], options: NodeServiceOptions = {}): Promise<NodeService> {
  const { spawn } = await import('node:child_process');
  const { createInterface } = await import('node:readline');
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script, ...args], {
    cwd: options.cwd,
    detached: options.detached === true,
    stdio: [options.detached ? 'ignore' : 'pipe', 'pipe', options.inheritStderr ? 'inherit' : 'ignore'],
    // The service runs with exactly the node flags given here, not whatever NODE_OPTIONS the caller had.
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const stop = async (graceMs = 5_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    // A graceful stop takes milliseconds; never let a stuck one hold the caller.
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(kill);
  };
  const stdout = child.stdout;
  if (!stdout) throw new Error('the service has no stdout');
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  let onError: ((error: Error) => void) | undefined;
  let onExit: ((code: number | null, signal: string | null) => void) | undefined;
  const ready = await new Promise<Record<string, unknown> | string>((resolve) => {
    const timer = setTimeout(() => resolve(`not ready after ${timeoutMs / 1000} s`), timeoutMs);
    const lines = createInterface({ input: stdout });
    onError = (error) => resolve(error.message);
    onExit = (code, signal) => resolve(`exited with ${signal ?? `code ${code}`} before it was ready`);
    child.once('error', onError);
    child.once('exit', onExit);
    lines.once('line', (line) => {
      clearTimeout(timer);
      lines.close();
      try {
        const parsed = JSON.parse(line) as unknown;
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return resolve(line);
        const record = parsed as Record<string, unknown>;
        resolve(typeof record.error === 'string' ? record.error : record);
      } catch {
        resolve(line);
      }
    });
  });
  if (onError) child.removeListener('error', onError);
  if (onExit) child.removeListener('exit', onExit);
  // A later spawn error (none is expected once it runs) must not crash the caller.
  child.on('error', () => {});
  if (typeof ready === 'string') {
    await stop(2_000);
    throw new Error(ready);
  }
  if (options.detached) {
    stdout.destroy();
    child.unref();
  }
  return { pid: child.pid ?? 0, ready, stop };
}
