import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsClients, resolveAwsSettings } from '../../aws/clients.js';
import { freePort } from '../../local/net.js';
import { startTestPostgres, type TestPostgres } from '../../../test/support/postgres.js';
import { startTestS3, type TestS3 } from '../../../test/support/s3.js';
import { bucketChecks, bucketOutcome, BUCKET_SETTINGS } from './buckets.js';
import { databaseOutcome, describeDatabaseUrl } from './database.js';

const withUrl = (url: string) => ({ settings: { connectionUrl: { value: url, source: 'env' as const, name: 'CONNECTION_URL' } }, timeoutMs: 2000 });

describe('describeDatabaseUrl', () => {
  it.each([
    ['postgresql://postgres:s3cretPassw0rd@db.example.com:6543/cruddur', 'db.example.com:6543/cruddur'],
    ['postgres://u@localhost/app', 'localhost:5432/app'],
    ['not a url', '(unparsable URL)'],
  ])('%s -> %s', (url, shown) => {
    expect(describeDatabaseUrl(url)).toBe(shown);
  });
});

describe('database check against a real PostgreSQL', () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await startTestPostgres();
  });
  afterAll(async () => {
    await pg.stop();
  });

  it('skips with CONNECTION_URL as the fix when it is unset', async () => {
    await expect(databaseOutcome({ settings: {}, timeoutMs: 2000 })).resolves.toMatchObject({ status: 'skip', fix: expect.stringContaining('CONNECTION_URL') });
  });

  it('reports the server version, never the password', async () => {
    const { url, name } = await pg.createDatabase();
    const outcome = await databaseOutcome(withUrl(url));
    expect(outcome.status).toBe('ok');
    expect(outcome.detail).toMatch(new RegExp(`^127\\.0\\.0\\.1:\\d+/${name} reachable \\(PostgreSQL 17\\.`));
    const password = new URL(url).password;
    expect(password.length).toBeGreaterThan(0);
    expect(JSON.stringify(outcome)).not.toContain(password);
  });

  it.each(['prefer', 'allow', 'disable'])('accepts sslmode=%s as the db commands do (libpq falls back to plain TCP for prefer/allow)', async (mode) => {
    const { url } = await pg.createDatabase();
    const withMode = new URL(url);
    withMode.searchParams.set('sslmode', mode);
    // A raw pg connection string with sslmode=prefer insists on TLS, which this server does not offer.
    await expect(databaseOutcome(withUrl(withMode.toString()))).resolves.toMatchObject({ status: 'ok' });
  });

  it('fails with a fix for a wrong password or a closed port, without printing the password', async () => {
    const wrong = new URL(pg.url('postgres'));
    wrong.password = 's3cretPassw0rd';
    const denied = await databaseOutcome(withUrl(wrong.toString()));
    expect(denied).toMatchObject({ status: 'fail', fix: expect.stringContaining('CONNECTION_URL') });
    expect(denied.detail).toContain('28P01');
    expect(JSON.stringify(denied)).not.toContain('s3cretPassw0rd');
    const closed = await databaseOutcome(withUrl(`postgresql://postgres:s3cretPassw0rd@127.0.0.1:${await freePort()}/x`));
    expect(closed).toMatchObject({ status: 'fail' });
    expect(closed.detail).toContain('ECONNREFUSED');
    expect(JSON.stringify(closed)).not.toContain('s3cretPassw0rd');
  });
});

describe('bucket checks against s3rver', () => {
  let s3: TestS3;
  let aws: AwsClients;
  beforeAll(async () => {
    s3 = await startTestS3(['uploads-bucket']);
    aws = new AwsClients(resolveAwsSettings({ env: s3.env }));
  });
  afterAll(async () => {
    aws.destroy();
    await s3.stop();
  });
  const uploads = BUCKET_SETTINGS[0] ?? { key: 'uploadsBucket', variable: 'UPLOADS_BUCKET_NAME', purpose: '' };

  it('has one check per bucket variable', () => {
    expect(bucketChecks().map((c) => c.id)).toEqual(['bucket-UPLOADS_BUCKET_NAME', 'bucket-ASSETS_BUCKET_NAME', 'bucket-SYNC_S3_BUCKET']);
  });

  it.each([
    ['unset', {}, 'skip', undefined],
    ['existing bucket', { UPLOADS_BUCKET_NAME: 'uploads-bucket' }, 'ok', 's3://uploads-bucket reachable at '],
    ['missing bucket', { UPLOADS_BUCKET_NAME: 'no-such-bucket' }, 'fail', 's3://no-such-bucket does not exist at '],
  ])('%s -> %s', async (_name, env, status, detail) => {
    const bucket = (env as { UPLOADS_BUCKET_NAME?: string }).UPLOADS_BUCKET_NAME;
    const outcome = await bucketOutcome({ settings: bucket ? { uploadsBucket: { value: bucket, source: 'env', name: 'UPLOADS_BUCKET_NAME' } } : {}, aws }, uploads);
    expect(outcome.status).toBe(status);
    if (detail) expect(outcome.detail).toBe(`${detail}${s3.endpoint}`);
    if (status !== 'ok') expect(outcome.fix).toContain('UPLOADS_BUCKET_NAME');
  });
});
