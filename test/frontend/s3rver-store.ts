import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { TestS3 } from '../support/s3.js';

interface FilesystemStore {
  putObject(object: { bucket: string; key: string; content: Buffer; metadata: Record<string, string> }): Promise<{ size: number; md5: string }>;
}

const require = createRequire(import.meta.url);

/**
 * s3rver's data folder: the `directory` of the SupervisorConfig its process got as its last argument
 * (src/local/s3-server.ts). TestS3 does not expose it; Linux's /proc does.
 */
async function storeDirectory(s3: TestS3): Promise<string> {
  const argv = (await readFile(`/proc/${s3.server.pid}/cmdline`, 'utf8')).split('\0').filter(Boolean);
  const config = argv.at(-1) ?? '';
  const directory = (JSON.parse(config) as { directory?: unknown }).directory;
  if (typeof directory !== 'string') throw new Error(`no s3rver directory in the arguments of process ${s3.server.pid}: ${config}`);
  return directory;
}

/**
 * Seeds many objects into a running s3rver without a request each: s3rver's own FilesystemStore writes each
 * object into its data folder (the object, its MD5 and its metadata files: what a PutObject leaves), which
 * s3rver reads back on every request (it caches nothing). 2,500 PutObjects cost about 15 s of CPU (SigV4,
 * checksums, s3rver's HTTP stack); this costs three file writes each. Objects are `text/plain`, each key its own body.
 */
export async function seedObjects(s3: TestS3, bucket: string, keys: readonly string[]): Promise<void> {
  const Store = require('s3rver/lib/stores/filesystem.js') as new (root: string) => FilesystemStore;
  const store = new Store(await storeDirectory(s3));
  for (let i = 0; i < keys.length; i += 100) {
    await Promise.all(keys.slice(i, i + 100).map((key) => store.putObject({ bucket, key, content: Buffer.from(key), metadata: { 'content-type': 'text/plain' } })));
  }
}
