import { execa } from 'execa';
import { join } from 'node:path';
import { expect } from 'vitest';
import { REPO_ROOT } from './tmp.js';

export const CLI = join(REPO_ROOT, 'bin', 'run.js');

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Secrets that must never appear in any output. Every runCli()/runCommand() call checks its stdout and stderr
 * against this list, so each end-to-end test also asserts secret hygiene. Tests add the secrets they configure
 * with `registerSecret`: kept per test file (test files share this module when they run in one
 * worker), so one file's secret never fails another file's output.
 */
const ALWAYS = ['s3cretPassw0rd', ':password@', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'];
const BY_FILE = new Map<string, Set<string>>();

const fileSecrets = (): Set<string> => {
  const file = expect.getState().testPath ?? '';
  let set = BY_FILE.get(file);
  if (!set) BY_FILE.set(file, (set = new Set()));
  return set;
};

export function registerSecret(value: string): void {
  fileSecrets().add(value);
}

export function assertNoSecrets(text: string, where = 'output'): void {
  for (const secret of [...ALWAYS, ...fileSecrets()]) {
    if (text.includes(secret)) throw new Error(`secret ${JSON.stringify(secret.slice(0, 3))}… leaked in ${where}:\n${text}`);
  }
}

/** The CLI child's whole environment: PATH, HOME, TMPDIR, CRUDDUR_CACHE_DIR, CI=true, no AWS config or metadata lookups, then `extra`. */
export function cliEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    // The run's temp folder (vitest.config.ts: tmpfs when there is one), as a user's shell would pass it on.
    TMPDIR: process.env.TMPDIR,
    // The run's cluster template (test/support/global-setup.ts), as a user's machine keeps one.
    CRUDDUR_CACHE_DIR: process.env.CRUDDUR_CACHE_DIR,
    CI: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    ...extra,
  };
}

export interface RunCliOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  input?: string;
  timeoutMs?: number;
  /** The CLI to run (a `bin/run.js`); default this checkout's (CLI). */
  bin?: string;
}

/**
 * Runs the built CLI (`bin/run.js`, needs `npm run build`) as a child process with a minimal
 * environment: PATH, HOME and TMPDIR from this process, CI=true, no AWS variables unless given.
 */
export async function runCli(args: string[], options: RunCliOptions = {}): Promise<CliResult> {
  const env = cliEnv(options.env);
  const result = await execa(process.execPath, [options.bin ?? CLI, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env,
    extendEnv: false,
    input: options.input,
    stdin: options.input === undefined ? 'ignore' : undefined,
    reject: false,
    timeout: options.timeoutMs ?? 60_000,
  });
  const out: CliResult = { exitCode: result.exitCode ?? 1, stdout: String(result.stdout), stderr: String(result.stderr) };
  assertNoSecrets(out.stdout, `stdout of cruddur ${args.join(' ')}`);
  assertNoSecrets(out.stderr, `stderr of cruddur ${args.join(' ')}`);
  return out;
}

/** Parses --json stdout, failing with the raw text when it is not one JSON document. */
export function parseJson<T = unknown>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON (exit ${result.exitCode}):\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
}
