import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { inject } from 'vitest';
import { resolveAwsSettings, s3ClientConfig } from '../../src/aws/clients.js';
import { startS3Server, type S3ServerHandle } from '../../src/local/s3-server.js';

export interface TestS3 {
  server: S3ServerHandle;
  endpoint: string;
  /** s3rver's data folder (its FilesystemStore root), for tests that seed objects as files. */
  directory: string;
  /** Variables for a CLI child process (endpoint + s3rver's only credentials). */
  env: Record<string, string>;
  /** An SDK client configured exactly as cruddur's factory configures one. */
  client(): S3Client;
  /** Ends this file's use of the server (its clients closed); the worker's server itself stops with the worker. */
  stop(): Promise<void>;
}

let workerS3: Promise<S3ServerHandle> | undefined;

/** The worker's S3 data folder, in the run's folder (test/support/global-setup.ts removes it). */
const workerDir = () => join(inject('runDir'), `s3-${process.pid}`);

/**
 * The worker's s3rver, started on first use through the launcher `local up` uses (src/local/s3-server.ts). Loading
 * s3rver alone costs ~0.45 s of CPU, and seventeen files started one each. Files run one at a time in a worker,
 * so each gets the server with only its own buckets, empty. It stops when the worker ends (it watches its parent's
 * stdin, as under `local up --foreground`).
 */
async function workerServer(): Promise<S3ServerHandle> {
  await mkdir(workerDir(), { recursive: true });
  return startS3Server({ directory: workerDir() });
}

/**
 * A real S3 API (s3rver on 127.0.0.1) holding exactly `buckets`, empty: every bucket an earlier file of this worker
 * made is gone (s3rver keeps buckets and objects as folders and files, and reads them per request). Call `stop()`
 * in afterAll.
 */
export async function startTestS3(buckets: string[] = []): Promise<TestS3> {
  workerS3 ??= workerServer().catch((error: unknown) => {
    workerS3 = undefined;
    throw error;
  });
  const server = await workerS3;
  const directory = workerDir();
  for (const entry of await readdir(directory)) await rm(join(directory, entry), { recursive: true, force: true });
  for (const bucket of buckets) await mkdir(join(directory, bucket));
  const clients: S3Client[] = [];
  return {
    server,
    endpoint: server.endpoint,
    directory,
    env: server.env,
    client() {
      const client = new S3Client(s3ClientConfig(resolveAwsSettings({ env: server.env })));
      clients.push(client);
      return client;
    },
    async stop() {
      for (const c of clients) c.destroy();
    },
  };
}
