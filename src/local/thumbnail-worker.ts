import type S3rver from 's3rver';

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

/** `avatars/<name>.jpg` for an upload key, as the Lambda names it. */
export function thumbnailKey(uploadKey: string): string {
  const base = decodeURIComponent(uploadKey.replace(/\+/g, ' ')).split('/').pop() ?? uploadKey;
  return `avatars/${base.replace(/\.[^.]*$/, '')}.jpg`;
}

/**
 * Processes uploads like the Lambda: on every object created in the uploads bucket, the shared avatar
 * transform writes `avatars/<name>.jpg` to the assets bucket. Returns a description for the log.
 */
export async function startThumbnailWorker(server: S3rver, options: WorkerOptions): Promise<string> {
  let transform: ((input: Buffer) => Promise<Buffer>) | undefined;
  try {
    const transformModule = '../avatar/transform.js';
    const module = (await import(transformModule)) as { thumbnail?: (input: Buffer) => Promise<Buffer> };
    transform = module.thumbnail;
  } catch (error) {
    options.log(`thumbnail worker disabled: ${String(error)}`);
  }
  if (!transform) return 'disabled (no avatar transform)';
  const { S3Client, GetObjectCommand, PutObjectCommand } = await import('@aws-sdk/client-s3');
  const client = new S3Client({
    endpoint: options.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const run = transform;
  (server as unknown as { on(event: 'event', listener: (e: { Records?: S3EventRecord[] }) => void): void }).on('event', (event) => {
    for (const record of event.Records ?? []) {
      const bucket = record.s3?.bucket?.name;
      const key = record.s3?.object?.key;
      if (!key || bucket !== options.uploads || !record.eventName?.startsWith('ObjectCreated')) continue;
      void (async () => {
        const started = Date.now();
        try {
          const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
          const input = Buffer.from(await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
          const output = await run(input);
          const target = thumbnailKey(key);
          await client.send(new PutObjectCommand({ Bucket: options.assets, Key: target, Body: output, ContentType: 'image/jpeg' }));
          options.log(`thumbnail: ${bucket}/${key} -> ${options.assets}/${target} (${output.length} bytes, ${Date.now() - started} ms)`);
        } catch (error) {
          options.log(`thumbnail failed for ${bucket}/${key}: ${error instanceof Error ? error.message : String(error)}`);
        }
      })();
    }
  });
  return `watching ${options.uploads} -> ${options.assets}`;
}
