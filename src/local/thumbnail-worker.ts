import type S3rver from 's3rver';
import { resolveAwsSettings, s3ClientConfig } from '../aws/clients.js';
import { s3rverEnv } from './s3-server.js';

export interface WorkerOptions {
  endpoint: string;
  uploads: string;
  assets: string;
  log: (line: string) => void;
}

interface S3EventRecord {
  eventName?: string;
  s3?: { bucket?: { name?: string }; object?: { key?: string } };
}

/**
 * Processes uploads like the Lambda: on every object created in the uploads bucket, the shared avatar
 * transform writes `avatars/<name>.jpg` to the assets bucket. Returns a description for the log.
 */
export async function startThumbnailWorker(server: S3rver, options: WorkerOptions): Promise<string> {
  const [{ avatarForUpload }, { S3Client, GetObjectCommand, PutObjectCommand }] = await Promise.all([
    import('../avatar/worker.js'),
    import('@aws-sdk/client-s3'),
  ]);
  // Configured exactly as every cruddur command configures its S3 client for a custom endpoint.
  const client = new S3Client(s3ClientConfig(resolveAwsSettings({ env: s3rverEnv(options.endpoint) })));
  const handle = async (bucket: string, key: string) => {
    const started = Date.now();
    try {
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const input = Buffer.from(await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
      const avatar = await avatarForUpload(input, key);
      await client.send(new PutObjectCommand({ Bucket: options.assets, Key: avatar.key, Body: avatar.body, ContentType: avatar.contentType }));
      options.log(`thumbnail: ${bucket}/${key} -> ${options.assets}/${avatar.key} (${avatar.body.length} bytes, ${Date.now() - started} ms)`);
    } catch (error) {
      options.log(`thumbnail failed for ${bucket}/${key}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  (server as unknown as { on(event: 'event', listener: (e: { Records?: S3EventRecord[] }) => void): void }).on('event', (event) => {
    for (const record of event.Records ?? []) {
      const bucket = record.s3?.bucket?.name;
      const key = record.s3?.object?.key;
      if (key && bucket === options.uploads && record.eventName?.startsWith('ObjectCreated')) void handle(bucket, key);
    }
  });
  return `watching ${options.uploads} -> ${options.assets}`;
}
