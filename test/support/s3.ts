import { S3Client } from '@aws-sdk/client-s3';
import { resolveAwsSettings, s3ClientConfig } from '../../src/aws/clients.js';
import { startS3Server, type S3ServerHandle } from '../../src/local/s3-server.js';
import { tempDir, type TempDir } from './tmp.js';

export interface TestS3 {
  server: S3ServerHandle;
  endpoint: string;
  /** s3rver's data folder (its FilesystemStore root), for tests that seed objects as files. */
  directory: string;
  /** Variables for a CLI child process (endpoint + s3rver's only credentials). */
  env: Record<string, string>;
  /** An SDK client configured exactly as cruddur's factory configures one. */
  client(): S3Client;
  stop(): Promise<void>;
}

/** A real S3 API (s3rver on 127.0.0.1, a free port, its own temp dir). Call `stop()` in afterAll. */
export async function startTestS3(buckets: string[] = []): Promise<TestS3> {
  const dir: TempDir = await tempDir('cruddur-s3-');
  let server: S3ServerHandle;
  try {
    server = await startS3Server({ directory: dir.path, buckets });
  } catch (error) {
    await dir.cleanup();
    throw error;
  }
  const clients: S3Client[] = [];
  return {
    server,
    endpoint: server.endpoint,
    directory: dir.path,
    env: server.env,
    client() {
      const client = new S3Client(s3ClientConfig(resolveAwsSettings({ env: server.env })));
      clients.push(client);
      return client;
    },
    async stop() {
      for (const c of clients) c.destroy();
      try {
        await server.stop();
      } finally {
        await dir.cleanup();
      }
    },
  };
}
