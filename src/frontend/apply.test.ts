import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestS3, type TestS3 } from '../../test/support/s3.js';
import { tempDir, type TempDir } from '../../test/support/tmp.js';
import { applyPlan } from './apply.js';
import { md5File, multipartEtag } from './hash.js';
import { planSync, type HashedFile } from './plan.js';
import { createS3Store } from '../aws/s3-store.js';
import { syncStoreOf, type SyncStore } from './store.js';
import { emptyHeaderConfig } from './routes.js';

let s3: TestS3;
let client: S3Client;
let dir: TempDir;
beforeAll(async () => {
  [s3, dir] = await Promise.all([startTestS3(['apply']), tempDir('cruddur-apply-')]);
  client = s3.client();
});
afterAll(async () => {
  await Promise.all([s3?.stop(), dir?.cleanup()]);
});

/** The real store, recording each call in order. */
function recording(store: SyncStore, calls: string[]): SyncStore {
  return {
    ...store,
    putObject: async (input) => {
      calls.push(`put ${input.key} md5=${input.contentMD5}`);
      return store.putObject(input);
    },
    createMultipartUpload: async (input) => {
      calls.push(`multipart ${input.key}`);
      return store.createMultipartUpload(input);
    },
    uploadPart: async (input) => {
      calls.push(`part ${input.key} #${input.partNumber}`);
      return store.uploadPart(input);
    },
    deleteObjects: async (bucket, keys) => {
      calls.push(`delete ${keys.join(',')}`);
      return store.deleteObjects(bucket, keys);
    },
  };
}

async function localFile(file: string, content: Buffer | string): Promise<HashedFile> {
  const absPath = join(dir.path, file);
  await mkdir(join(absPath, '..'), { recursive: true });
  await writeFile(absPath, content);
  const size = Buffer.byteLength(content);
  return { file, key: file, absPath, size, md5: await md5File(absPath, size) };
}

const plan2 = (files: HashedFile[], remote: Map<string, { key: string; size: number; etag: string }>, options: Parameters<typeof planSync>[1]) =>
  planSync({ files, ignored: [], remote }, options);

describe('applyPlan', () => {
  it('uploads assets first, HTML last, deletes after both; sends Content-MD5; uses parts for big files', async () => {
    const big = Buffer.alloc(6 * 1024 * 1024 + 11, 3);
    const files = [
      await localFile('index.html', '<html>'),
      await localFile('docs/page.html', '<p>'),
      await localFile('static/js/main.0123abcd.js', 'js'),
      await localFile('media/big.bin', big),
    ];
    const store = syncStoreOf(createS3Store(client));
    await store.putObject({ bucket: 'apply', key: 'stale.js', body: Buffer.from('old') });
    const plan = plan2(files, new Map([['stale.js', { key: 'stale.js', size: 3, etag: 'x' }]]), { ignore: () => false, delete: true, force: false });
    const calls: string[] = [];
    const result = await applyPlan(plan, recording(store, calls), { bucket: 'apply', concurrency: 1, headers: emptyHeaderConfig(), multipartThreshold: 5 * 1024 * 1024, partSize: 5 * 1024 * 1024 });
    const b64 = (f: HashedFile) => Buffer.from(f.md5, 'hex').toString('base64');
    expect(calls).toEqual([
      'multipart media/big.bin',
      'part media/big.bin #1',
      'part media/big.bin #2',
      `put static/js/main.0123abcd.js md5=${b64(files[2] as HashedFile)}`,
      `put docs/page.html md5=${b64(files[1] as HashedFile)}`,
      `put index.html md5=${b64(files[0] as HashedFile)}`,
      'delete stale.js',
    ]);
    expect(result).toMatchObject({ deleted: ['stale.js'], deleteBatches: 1, failed: [], skippedPhases: [] });
    const object = await client.send(new GetObjectCommand({ Bucket: 'apply', Key: 'media/big.bin' }));
    const bytes = Buffer.from(await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
    expect(createHash('md5').update(bytes).digest('hex')).toBe(createHash('md5').update(big).digest('hex'));
    expect(object.ContentType).toBe('application/octet-stream');
    // The content hash travels with every upload, multipart included: the ETag may not be the MD5.
    expect(object.Metadata?.['cruddur-md5']).toBe(createHash('md5').update(big).digest('hex'));
    // Real S3 answers `<md5>-2`; s3rver the whole object's MD5.
    expect(result.etags['media/big.bin']).toMatch(/^[0-9a-f]{32}(-2)?$/);
    // What real S3 would report for it, and what the planner then recomputes.
    expect(await multipartEtag(join(dir.path, 'media/big.bin'), big.length, 5 * 1024 * 1024)).toMatch(/^[0-9a-f]{32}-2$/);
  });

  it('stops before HTML and deletes when an asset fails, and reports every failure', async () => {
    const files = [await localFile('index.html', '<html>'), await localFile('a.js', 'a'), await localFile('b.js', 'b')];
    const plan = plan2(files, new Map([['gone.txt', { key: 'gone.txt', size: 1, etag: 'x' }]]), { ignore: () => false, delete: true, force: false });
    const calls: string[] = [];
    const store = recording(syncStoreOf(createS3Store(client)), calls);
    const failing: SyncStore = {
      ...store,
      putObject: async (input) => {
        if (input.key === 'a.js') throw new Error('boom');
        return store.putObject(input);
      },
    };
    const result = await applyPlan(plan, failing, { bucket: 'apply', concurrency: 4, headers: emptyHeaderConfig() });
    expect(result.failed).toEqual([{ key: 'a.js', message: 'boom' }]);
    expect(result.uploaded).toEqual(['b.js']);
    expect(result.skippedPhases).toEqual(['html', 'deletes']);
    expect(calls.some((c) => c.includes('index.html') || c.startsWith('delete'))).toBe(false);
  });
});
