import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';

/** Below this, one read beats a stream (fewer syscalls and promises per file). */
const SMALL_FILE = 1024 * 1024;
const READ_CHUNK = 1024 * 1024;

/** The MD5 of a file as hex, streamed for large files. */
export async function md5File(path: string, size: number): Promise<string> {
  if (size < SMALL_FILE) return createHash('md5').update(await readFile(path)).digest('hex');
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path, { highWaterMark: READ_CHUNK })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The ETag S3 gives an object uploaded in parts of `partSize`: MD5 of the parts' MD5s, then `-<parts>`. */
export async function multipartEtag(path: string, size: number, partSize: number): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const digests: Buffer[] = [];
    const buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK, partSize));
    for (let start = 0; start < size || (size === 0 && digests.length === 0); start += partSize) {
      const hash = createHash('md5');
      const end = Math.min(start + partSize, size);
      for (let at = start; at < end; ) {
        const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, end - at), at);
        if (bytesRead === 0) throw new Error(`${path} changed while it was being read`);
        hash.update(buffer.subarray(0, bytesRead));
        at += bytesRead;
      }
      digests.push(hash.digest());
      if (size === 0) break;
    }
    return `${createHash('md5').update(Buffer.concat(digests)).digest('hex')}-${digests.length}`;
  } finally {
    await handle.close();
  }
}

/** Base64 MD5 for the Content-MD5 header, from the hex digest the plan already holds. */
export function contentMd5(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64');
}
