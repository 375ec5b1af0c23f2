import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { closeSync, openSync, readSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { setImmediate as yieldToLoop } from 'node:timers/promises';

/** Below this, one read beats a stream (fewer syscalls and promises per file). */
export const SMALL_FILE = 1024 * 1024;
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

export interface HashTarget {
  absPath: string;
  size: number;
  md5?: string;
}

export interface HashOptions {
  /** Large files hashed at once (streams). */
  concurrency: number;
}

/**
 * The MD5 and length of a file read synchronously through `scratch` (no buffer allocated per file: a
 * 20,000-file build would otherwise churn through its whole size in garbage). A short read of a regular
 * file is its end.
 */
function md5Through(scratch: Buffer, path: string): { md5: string; size: number } {
  const fd = openSync(path, 'r');
  try {
    const hash = createHash('md5');
    let size = 0;
    for (;;) {
      const n = readSync(fd, scratch, 0, scratch.length, null);
      hash.update(scratch.subarray(0, n));
      size += n;
      if (n < scratch.length) break;
    }
    return { md5: hash.digest('hex'), size };
  } finally {
    closeSync(fd);
  }
}

/**
 * MD5s for every target. Small files (most of a web build) are read synchronously through one reused
 * buffer: on a 2-core runner a thread-pool round trip per tiny file costs more than the read. No bytes
 * are kept for the upload: which files are uploaded is only known once the listing is in (a no-change
 * run uploads none), and a 20,000-file build of 50 MB kept whole cost 95 MB of peak RSS (bench/RESULTS.md,
 * 2026-11-30); an upload reads its file again. The event loop gets a turn every few milliseconds, so a
 * bucket listing running alongside keeps flowing.
 */
export async function hashAll(targets: HashTarget[], options: HashOptions): Promise<void> {
  const large: HashTarget[] = [];
  let scratch: Buffer | undefined;
  let lastYield = performance.now();
  for (const target of targets) {
    if (target.size >= SMALL_FILE) {
      large.push(target);
      continue;
    }
    scratch ??= Buffer.allocUnsafe(READ_CHUNK);
    Object.assign(target, md5Through(scratch, target.absPath));
    if (performance.now() - lastYield > 5) {
      await yieldToLoop();
      lastYield = performance.now();
    }
  }
  let next = 0;
  const worker = async () => {
    while (next < large.length) {
      const target = large[next++] as HashTarget;
      target.md5 = await md5File(target.absPath, target.size);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, large.length) }, worker));
}

/** Below this many files a worker's start-up costs more than it saves. */
const WORKER_MIN_FILES = 200;

/**
 * hashAll on a worker thread when the tree is big enough, so hashing runs on the second core while
 * the main thread loads the AWS SDK and lists the bucket. Falls back to the main thread when the
 * compiled worker is not there (running from TypeScript sources).
 */
export async function hashAllOffThread(targets: HashTarget[], options: HashOptions): Promise<void> {
  const { existsSync } = await import('node:fs');
  const { fileURLToPath } = await import('node:url');
  const workerFile = fileURLToPath(new URL('./hash-worker.js', import.meta.url));
  if (targets.length < WORKER_MIN_FILES || !existsSync(workerFile)) return hashAll(targets, options);
  const { Worker } = await import('node:worker_threads');
  const worker = new Worker(workerFile, {
    workerData: { targets: targets.map((t) => ({ absPath: t.absPath, size: t.size })), concurrency: options.concurrency },
  });
  type Reply = { results: Array<{ md5?: string; size: number }> } | { error: { message: string; code?: string; path?: string } };
  const reply = await new Promise<Reply>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the hashing worker exited with code ${code}`)));
  });
  void worker.terminate();
  if ('error' in reply) throw Object.assign(new Error(reply.error.message), { code: reply.error.code, path: reply.error.path });
  reply.results.forEach((r, i) => {
    const target = targets[i] as HashTarget;
    target.md5 = r.md5;
    target.size = r.size;
  });
}
