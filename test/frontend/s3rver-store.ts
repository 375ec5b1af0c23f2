import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createRequire } from 'node:module';
import type { TestS3 } from '../support/s3.js';

interface FilesystemStore {
  getResourcePath(bucket: string, key: string, resource: 'object'): string;
}

const require = createRequire(import.meta.url);

/**
 * Seeds many objects into a running s3rver without a request each: one file per object, the object's bytes at
 * the path s3rver's own FilesystemStore gives it. s3rver reads its folder on every request (it caches nothing);
 * it writes an object's MD5 file the first time it lists or reads it, and an object without a metadata file is
 * `binary/octet-stream`. 2,500 PutObjects cost about 15 s of CPU (SigV4, checksums, s3rver's HTTP stack, three
 * files each); each key here is one file, with the key as its body.
 */
export async function seedObjects(s3: TestS3, bucket: string, keys: readonly string[]): Promise<void> {
  const Store = require('s3rver/lib/stores/filesystem.js') as new (root: string) => FilesystemStore;
  const store = new Store(s3.directory);
  const paths = keys.map((key) => [store.getResourcePath(bucket, key, 'object'), key] as const);
  for (const folder of new Set(paths.map(([path]) => dirname(path)))) await mkdir(folder, { recursive: true });
  for (let i = 0; i < paths.length; i += 100) await Promise.all(paths.slice(i, i + 100).map(([path, key]) => writeFile(path, key)));
}
