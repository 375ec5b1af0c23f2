import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from './postgres.js';
import { startTestS3 } from './s3.js';

describe('test PostgreSQL helper', () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await startTestPostgres();
  });
  afterAll(async () => {
    await pg.stop();
  });

  it('runs a real server on 127.0.0.1 and gives each test its own database', async () => {
    const a = await pg.createDatabase();
    const b = await pg.createDatabase();
    expect(a.name).not.toBe(b.name);
    expect(a.url).toMatch(/^postgresql:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\//);
    const [row] = await pg.query<{ db: string; addr: string }>(a.name, 'SELECT current_database() AS db, inet_server_addr()::text AS addr');
    expect(row).toEqual({ db: a.name, addr: '127.0.0.1/32' });
  });
});

describe('test S3 helper', () => {
  it("gives each file the worker's server holding only its own buckets, empty", async () => {
    const { ListBucketsCommand, ListObjectsV2Command, PutObjectCommand } = await import('@aws-sdk/client-s3');
    const first = await startTestS3(['left-a', 'left-b']);
    const client = first.client();
    await client.send(new PutObjectCommand({ Bucket: 'left-b', Key: 'kept.txt', Body: 'from an earlier file' }));
    await first.stop();

    const next = await startTestS3(['left-b', 'fresh']);
    expect(next.endpoint).toBe(first.endpoint);
    const again = next.client();
    try {
      const names = (await again.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name).sort();
      expect(names).toEqual(['fresh', 'left-b']);
      expect((await again.send(new ListObjectsV2Command({ Bucket: 'left-b' }))).KeyCount).toBe(0);
    } finally {
      await next.stop();
    }
  });
});
