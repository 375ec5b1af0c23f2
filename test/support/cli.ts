import { execa } from 'execa';
import { join } from 'node:path';
import { REPO_ROOT } from './tmp.js';

export const CLI = join(REPO_ROOT, 'bin', 'run.js');

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Secrets that must never appear in any output. Every runCli() call checks its stdout and stderr
 * against this list, so each end-to-end test also asserts secret hygiene. Tests add the secrets they
 * configure with `registerSecret`.
 */
const SECRETS = new Set<string>(['s3cretPassw0rd', ':password@', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY']);

export function registerSecret(value: string): void {
  SECRETS.add(value);
}

export function assertNoSecrets(text: string, where = 'output'): void {
  for (const secret of SECRETS) {
    if (text.includes(secret)) throw new Error(`secret ${JSON.stringify(secret.slice(0, 3))}… leaked in ${where}:\n${text}`);
  }
}

/** The CLI child's whole environment: PATH, HOME, CI=true, no AWS config or metadata lookups, then `extra`. */
export function cliEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
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
}

/**
 * Runs the built CLI (`bin/run.js`, needs `npm run build`) as a child process with a minimal
 * environment: PATH and HOME from this process, CI=true, no AWS variables unless given.
 */
export async function runCli(args: string[], options: RunCliOptions = {}): Promise<CliResult> {
  const env = cliEnv(options.env);
  const result = await execa(process.execPath, [CLI, ...args], {
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
