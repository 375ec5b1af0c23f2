import { mkdir, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { S3Store } from '../aws/s3-store.js';
import { silentLogger } from '../core/output.js';
import { startTestS3 } from '../../test/support/s3.js';
import { tempDir, type TempDir } from '../../test/support/tmp.js';
import { createUploader, IN_MEMORY_LIMIT, uploadAvatar } from './upload.js';
import { recordingUploader } from '../../test/avatar/recording-uploader.js';


const noStore = {} as S3Store;

describe('uploadAvatar with big files: header checked, body streamed, never read whole', () => {
  let dir: TempDir;
  let jpeg: Buffer;
  beforeAll(async () => {
    dir = await tempDir();
    await mkdir(dir.path, { recursive: true });
    const { default: sharp } = await import('sharp');
    jpeg = await sharp({ create: { width: 32, height: 16, channels: 3, background: '#123456' } }).jpeg().toBuffer();
  });
  afterAll(() => dir.cleanup());

  it.each([
    ['small.jpg', 0, 'buffer', false],
    ['limit.jpg', IN_MEMORY_LIMIT, 'buffer', true],
    ['over-limit.jpg', IN_MEMORY_LIMIT + 1, 'stream', true],
    ['six-gigabytes.jpg', 6 * 1024 ** 3, 'stream', true],
  ] as const)('%s (%d bytes) goes up as a %s', async (name, size, kind, multipart) => {
    const file = join(dir.path, name);
    await writeFile(file, jpeg);
    if (size > 0) await truncate(file, size);
    const uploader = recordingUploader();
    const before = process.memoryUsage().rss;
    const result = await uploadAvatar({ file, uploadsBucket: 'b', wait: false, timeoutMs: 1000 }, { store: noStore, uploader, logger: silentLogger });
    expect(result).toMatchObject({ bytes: size || jpeg.length, multipart, image: { format: 'jpeg', width: 32, height: 16 } });
    const input = uploader.inputs[0];
    expect(input?.size).toBe(size || jpeg.length);
    expect(Buffer.isBuffer(input?.body) ? 'buffer' : 'stream').toBe(kind);
    // Generous bound: reading a 6 GB file into memory would add gigabytes.
    expect(process.memoryUsage().rss - before).toBeLessThan(IN_MEMORY_LIMIT * 3);
  });

  it('a streamed file arrives intact through a real multipart upload (s3rver)', async () => {
    const s3 = await startTestS3(['stream-uploads']);
    try {
      const file = join(dir.path, 'streamed.jpg');
      await writeFile(file, jpeg);
      await truncate(file, IN_MEMORY_LIMIT + 1);
      const client = s3.client();
      const result = await uploadAvatar({ file, uploadsBucket: 'stream-uploads', wait: false, timeoutMs: 1000 }, { store: noStore, uploader: createUploader(client), logger: silentLogger });
      expect(result).toMatchObject({ multipart: true, bytes: IN_MEMORY_LIMIT + 1 });
      const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
      const head = await client.send(new HeadObjectCommand({ Bucket: 'stream-uploads', Key: 'streamed.jpg' }));
      expect(head.ContentLength).toBe(IN_MEMORY_LIMIT + 1);
      expect(head.ContentType).toBe('image/jpeg');
      // s3rver's ETag of a completed multipart upload is the MD5 of the whole object: the bytes arrived intact.
      const { createHash } = await import('node:crypto');
      const { createReadStream } = await import('node:fs');
      const md5 = createHash('md5');
      for await (const chunk of createReadStream(file)) md5.update(chunk as Buffer);
      expect(head.ETag).toBe(`"${md5.digest('hex')}"`);
    } finally {
      await s3.stop();
    }
  });

  it('refuses a file over the 5 TiB S3 object limit before reading it', async () => {
    const file = join(dir.path, 'too-big.jpg');
    await writeFile(file, jpeg);
    await truncate(file, 5 * 1024 ** 4 + 1);
    const uploader = recordingUploader();
    await expect(uploadAvatar({ file, uploadsBucket: 'b', wait: false, timeoutMs: 1000 }, { store: noStore, uploader, logger: silentLogger })).rejects.toThrow(
      /too-big\.jpg is 5497558138881 bytes, over the 5 TiB S3 object limit/,
    );
    expect(uploader.inputs).toEqual([]);
  });

  it('refuses a folder named like an image', async () => {
    const folder = join(dir.path, 'folder.jpg');
    await mkdir(folder);
    await expect(uploadAvatar({ file: folder, uploadsBucket: 'b', wait: false, timeoutMs: 1000 }, { store: noStore, uploader: recordingUploader(), logger: silentLogger })).rejects.toThrow(/folder\.jpg is not a file/);
  });
});
