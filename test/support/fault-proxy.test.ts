import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveAwsSettings, s3ClientConfig } from '../../src/aws/clients.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { startTestS3, type TestS3 } from './s3.js';

describe('fault proxy in front of s3rver', () => {
  let s3: TestS3;
  let proxy: FaultProxy;
  beforeAll(async () => {
    s3 = await startTestS3(['faults']);
    proxy = await startFaultProxy(s3.endpoint);
  });
  afterAll(async () => {
    await proxy.stop();
    await s3.stop();
  });
  const client = () => new S3Client(s3ClientConfig(resolveAwsSettings({ env: { ...s3.env, AWS_ENDPOINT_URL_S3: proxy.endpoint } })));

  it('forwards signed requests unchanged and logs them', async () => {
    proxy.configure({});
    const c = client();
    await c.send(new PutObjectCommand({ Bucket: 'faults', Key: 'a.txt', Body: 'a' }));
    const listed = await c.send(new ListObjectsV2Command({ Bucket: 'faults' }));
    c.destroy();
    expect(listed.Contents?.map((o) => o.Key)).toEqual(['a.txt']);
    expect(proxy.log.slice(-2).map((r) => [r.method, r.path, r.status])).toEqual([
      ['PUT', '/faults/a.txt', 200],
      ['GET', '/faults/', 200],
    ]);
  });

  it('injects 503 SlowDown that the SDK retries through, deterministically by seed', async () => {
    proxy.configure({ slowDownRate: 0.2, seed: 7 });
    const before = proxy.log.length;
    const c = client();
    for (let i = 0; i < 12; i++) await c.send(new PutObjectCommand({ Bucket: 'faults', Key: `k${i}`, Body: `v${i}` }));
    c.destroy();
    const run = proxy.log.slice(before);
    expect(run.filter((r) => r.status === 503).length).toBeGreaterThan(0);
    expect(run.filter((r) => r.status === 200).length).toBe(12);
  });

  it('answers 403 to everything when asked to deny', async () => {
    proxy.configure({ denyAll: true });
    const c = client();
    const error = await c.send(new ListObjectsV2Command({ Bucket: 'faults' })).catch((e: unknown) => e);
    c.destroy();
    expect((error as { name?: string }).name).toBe('AccessDenied');
  });
});
