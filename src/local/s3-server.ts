import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CruddurError } from '../core/errors.js';

/** s3rver accepts only this key pair. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/** The variables that point cruddur (and the AWS CLI) at an s3rver endpoint. */
export function s3rverEnv(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    AWS_REGION: 'us-east-1',
  };
}

export interface S3ServerHandle {
  port: number;
  endpoint: string;
  pid: number;
  /** The variables that point cruddur (and the AWS CLI) at this server. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export interface StartS3Options {
  directory: string;
  port?: number;
  buckets?: string[];
  /** Keep running after this process exits (for `local up`). */
  detached?: boolean;
}

// Resolves to dist/ from both src/local (tests) and dist/local (the CLI).
const CHILD = fileURLToPath(new URL('../../dist/local/s3rver-child.js', import.meta.url));

export async function startS3Server(options: StartS3Options): Promise<S3ServerHandle> {
  await mkdir(options.directory, { recursive: true });
  const config = JSON.stringify({ directory: options.directory, port: options.port ?? 0, buckets: options.buckets ?? [], watchParent: !options.detached });
  const child: ChildProcess = spawn(process.execPath, ['--openssl-legacy-provider', CHILD, config], {
    stdio: [options.detached ? 'ignore' : 'pipe', 'pipe', options.detached ? 'ignore' : 'inherit'],
    detached: options.detached ?? false,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const fail = (why: string) =>
      reject(new CruddurError(`The local S3 server did not start: ${why}`, { suggestion: 'run `npm run build` and check that s3rver is installed', code: 'LOCAL_S3_START' }));
    child.once('exit', (code) => fail(`exited with code ${code}`));
    child.once('error', (error) => fail(error.message));
    lines.once('line', (line) => {
      try {
        resolve((JSON.parse(line) as { port: number }).port);
      } catch {
        fail(line);
      }
      lines.close();
    });
  });
  child.removeAllListeners('exit');
  if (options.detached) {
    child.unref();
    (child.stdout as NodeJS.ReadableStream & { destroy(): void }).destroy();
  }
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    port,
    endpoint,
    pid: child.pid ?? 0,
    env: s3rverEnv(endpoint),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        // A graceful stop takes milliseconds; never let a stuck one hold the caller.
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}
