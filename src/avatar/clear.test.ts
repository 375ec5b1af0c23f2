import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { DeleteResult, RemoteObject, S3Store } from '../aws/s3-store.js';
import { silentLogger } from '../core/output.js';
import { createCloudFront } from '../aws/cloudfront.js';
import { clearAvatars, invalidationPaths, type ClearOptions } from './clear.js';

/** An in-memory S3Store (the port): buckets of keys, recording delete batches. */
function memoryStore(buckets: Record<string, string[]>) {
  const data = new Map(Object.entries(buckets).map(([b, keys]) => [b, new Set(keys)]));
  const batches: Array<{ bucket: string; size: number }> = [];
  const object = (key: string): RemoteObject => ({ key, size: 1, etag: 'e' });
  const store: S3Store = {
    bucketExists: async (b) => data.has(b),
    listObjects: async (b, prefix = '') => [...(data.get(b) ?? [])].filter((k) => k.startsWith(prefix)).map(object),
    headObject: async (b, k) => (data.get(b)?.has(k) ? object(k) : undefined),
    getObjectText: async () => undefined,
    headMetadata: async () => undefined,
    putObject: async () => 'etag',
    deleteObjects: async (b, keys): Promise<DeleteResult> => {
      for (let i = 0; i < keys.length; i += 1000) batches.push({ bucket: b, size: keys.slice(i, i + 1000).length });
      for (const k of keys) data.get(b)?.delete(k);
      return { deleted: keys, failed: [] };
    },
  };
  return { store, data, batches };
}

const cloudfront = mockClient(CloudFrontClient);
afterEach(() => cloudfront.reset());
// Test files share a worker: the stubbed CloudFrontClient.prototype.send must not outlive this file.
afterAll(() => cloudfront.restore());

const options = (change: Partial<ClearOptions>): ClearOptions => ({
  uploadsBucket: 'up',
  assetsBucket: 'assets',
  all: false,
  folder: 'avatars',
  avatarKey: (key) => `avatars/${key.replace(/\.[^.]*$/, '')}.jpg`,
  ...change,
});

describe('invalidationPaths', () => {
  it.each([
    ['avatars', ['/avatars/*']],
    ['/avatars/', ['/avatars/*']],
    ['img/avatars', ['/img/avatars/*']],
    // CloudFront's encoding rules (keyPath): a space, ~ or non-ASCII in the folder is encoded, + stays raw.
    ['my avatars/~v2+', ['/my%20avatars/%7Ev2+/*']],
    ['avatars/é', ['/avatars/%C3%A9/*']],
    ['', ['/*']],
  ])('%s -> %j', (folder, paths) => {
    expect(invalidationPaths(folder)).toEqual(paths);
  });
});

describe('clearAvatars', () => {
  it('--all deletes every upload and avatar in batches of 1,000 and sends exactly one invalidation', async () => {
    cloudfront.on(CreateInvalidationCommand).resolves({ Invalidation: { Id: 'I9', Status: 'InProgress', CreateTime: new Date(), InvalidationBatch: undefined } });
    const avatars = Array.from({ length: 1500 }, (_, i) => `avatars/${i}.jpg`);
    const { store, data, batches } = memoryStore({ up: ['a.png', 'b.jpg'], assets: [...avatars, 'banners/keep.jpg'] });
    const questions: string[] = [];
    const result = await clearAvatars(options({ all: true, distributionId: 'EDIST' }), {
      store,
      invalidator: createCloudFront(new CloudFrontClient({ region: 'us-east-1' })),
      confirm: async (q) => {
        questions.push(q);
        return true;
      },
      logger: silentLogger,
      now: () => 1700000000000,
    });
    expect(questions).toEqual(['Delete all 2 objects in s3://up and 1500 avatars in s3://assets/avatars/?']);
    expect(batches).toEqual([{ bucket: 'up', size: 2 }, { bucket: 'assets', size: 1000 }, { bucket: 'assets', size: 500 }]);
    expect([...(data.get('assets') ?? [])]).toEqual(['banners/keep.jpg']);
    expect(result.invalidation).toEqual({ distributionId: 'EDIST', id: 'I9', status: 'InProgress', paths: ['/avatars/*'] });
    const calls = cloudfront.commandCalls(CreateInvalidationCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({
      DistributionId: 'EDIST',
      InvalidationBatch: { CallerReference: 'cruddur-avatar-clear-1700000000000', Paths: { Quantity: 1, Items: ['/avatars/*'] } },
    });
  });

  it('stops before deleting anything when --all is not confirmed', async () => {
    const { store, batches } = memoryStore({ up: ['a.png'], assets: ['avatars/a.jpg'] });
    const error = await clearAvatars(options({ all: true, distributionId: 'EDIST' }), {
      store,
      invalidator: createCloudFront(new CloudFrontClient({ region: 'us-east-1' })),
      confirm: async () => false,
      logger: silentLogger,
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('Nothing deleted: not confirmed');
    expect(batches).toEqual([]);
    expect(cloudfront.calls()).toHaveLength(0);
  });

  it.each([
    ['both exist', ['me.png'], ['avatars/me.jpg'], 1, 1, undefined],
    ['only the upload: no avatar deleted, no invalidation', ['me.png'], [], 1, 0, 'no avatar was deleted'],
    ['neither', [], [], 0, 0, 'no avatar was deleted'],
  ])('--key: %s', async (_name, up, assets, uploadsDeleted, assetsDeleted, skipped) => {
    cloudfront.on(CreateInvalidationCommand).resolves({ Invalidation: { Id: 'I1', Status: 'InProgress', CreateTime: new Date(), InvalidationBatch: undefined } });
    const { store } = memoryStore({ up, assets });
    const result = await clearAvatars(options({ key: 'me.png', distributionId: 'EDIST' }), {
      store,
      invalidator: createCloudFront(new CloudFrontClient({ region: 'us-east-1' })),
      confirm: async () => {
        throw new Error('--key must not ask');
      },
      logger: silentLogger,
    });
    expect(result.uploads.deleted).toBe(uploadsDeleted);
    expect(result.assets.deleted).toBe(assetsDeleted);
    expect(result.invalidationSkipped).toBe(skipped);
    expect(cloudfront.commandCalls(CreateInvalidationCommand)).toHaveLength(skipped ? 0 : 1);
  });

  it('turns a CloudFront error into a message naming the distribution', async () => {
    cloudfront.on(CreateInvalidationCommand).rejects(Object.assign(new Error('The specified distribution does not exist.'), { name: 'NoSuchDistribution' }));
    const { store } = memoryStore({ up: [], assets: ['avatars/me.jpg'] });
    const error = await clearAvatars(options({ key: 'me.jpg', distributionId: 'EBAD' }), {
      store,
      invalidator: createCloudFront(new CloudFrontClient({ region: 'us-east-1' })),
      confirm: async () => true,
      logger: silentLogger,
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('Could not invalidate /avatars/* on CloudFront distribution EBAD: the CloudFront distribution does not exist');
  });
});
