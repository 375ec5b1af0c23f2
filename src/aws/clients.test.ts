import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestS3, type TestS3 } from '../../test/support/s3.js';
import { tempDir, type TempDir } from '../../test/support/tmp.js';
import { mkdir } from 'node:fs/promises';
import { AwsClients, loadAwsSettings, resolveAwsSettings, s3ClientConfig } from './clients.js';

describe('resolveAwsSettings', () => {
  it('takes the service endpoint over the global one, and the region from flags first', () => {
    const s = resolveAwsSettings({
      env: { AWS_ENDPOINT_URL: 'http://global:1', AWS_ENDPOINT_URL_S3: 'http://s3:2', AWS_DEFAULT_REGION: 'eu-west-1' },
      region: 'ap-south-1',
    });
    expect(s.endpoints).toMatchObject({ s3: 'http://s3:2', ec2: 'http://global:1', cognito: 'http://global:1' });
    expect(s.region).toBe('ap-south-1');
    expect(resolveAwsSettings({ env: { AWS_DEFAULT_REGION: 'eu-west-1' } }).region).toBe('eu-west-1');
    expect(resolveAwsSettings({ env: { AWS_REGION: 'eu-north-1', AWS_DEFAULT_REGION: 'eu-west-1' } }).region).toBe('eu-north-1');
  });

  it('uses keys from any layer, unless --profile is given', () => {
    const env = { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'x', AWS_SESSION_TOKEN: 't' };
    expect(resolveAwsSettings({ env }).credentials).toEqual({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'x', sessionToken: 't' });
    expect(resolveAwsSettings({ env, profile: 'dev' }).credentials).toBeUndefined();
  });

  it('gives a custom S3 endpoint path-style addressing and checksums only when required', () => {
    const custom = s3ClientConfig(resolveAwsSettings({ env: { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9' } }));
    expect(custom).toMatchObject({ forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
    const real = s3ClientConfig(resolveAwsSettings({ env: {} }));
    expect(real).not.toHaveProperty('forcePathStyle');
  });
});

describe('S3 client from the factory against s3rver', () => {
  let s3: TestS3;
  let dir: TempDir;
  beforeAll(async () => {
    s3 = await startTestS3(['bytes']);
    dir = await tempDir();
  });
  afterAll(async () => {
    await s3.stop();
    await dir.cleanup();
  });

  const readBack = async (clients: AwsClients, key: string) => {
    const client = await clients.s3();
    const got = await client.send(new GetObjectCommand({ Bucket: 'bytes', Key: key }));
    return Buffer.from(await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
  };

  it('stores the exact bytes for Buffer and stream bodies', async () => {
    const clients = new AwsClients(resolveAwsSettings({ env: s3.env }));
    const payload = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 31) % 256));
    const file = join(dir.path, 'payload.bin');
    await writeFile(file, payload);
    const client = await clients.s3();
    await client.send(new PutObjectCommand({ Bucket: 'bytes', Key: 'buffer.bin', Body: payload }));
    await client.send(new PutObjectCommand({ Bucket: 'bytes', Key: 'stream.bin', Body: createReadStream(file), ContentLength: payload.length }));
    expect((await readBack(clients, 'buffer.bin')).equals(payload)).toBe(true);
    expect((await readBack(clients, 'stream.bin')).equals(payload)).toBe(true);
    clients.destroy();
  });

  it('takes an endpoint_url from a profile in ~/.aws/config path-style (no bucket in the host name), as LocalStack set-ups do', async () => {
    const home = join(dir.path, 'home');
    await mkdir(join(home, '.aws'), { recursive: true });
    const endpoint = s3.env.AWS_ENDPOINT_URL_S3 ?? s3.env.AWS_ENDPOINT_URL;
    await writeFile(join(home, '.aws', 'config'), `[profile localstack]\nregion = eu-west-2\nendpoint_url = ${endpoint}\n`);
    const env = { HOME: home, AWS_PROFILE: 'localstack', AWS_ACCESS_KEY_ID: s3.env.AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: s3.env.AWS_SECRET_ACCESS_KEY };
    const clients = new AwsClients(loadAwsSettings({ env }), undefined, env);
    const settings = await clients.resolved();
    expect([settings.endpoints.s3, settings.endpointSources.s3, settings.region]).toEqual([endpoint, 'profile localstack in ~/.aws/config', 'eu-west-2']);
    const client = await clients.s3();
    await client.send(new PutObjectCommand({ Bucket: 'bytes', Key: 'from-profile.txt', Body: 'profile endpoint' }));
    expect((await readBack(clients, 'from-profile.txt')).toString()).toBe('profile endpoint');
    clients.destroy();
  });
});

describe('AwsClients.destroy', () => {
  it('ends a call still in flight against an endpoint that never answers (no retry keeps the process alive)', async () => {
    const { startSilentServer } = await import('../../test/fakes/silent-server.js');
    const silent = await startSilentServer();
    try {
      // Limits far beyond the test's own bound: only destroy() can end this call in time.
      const env = {
        AWS_ENDPOINT_URL_DYNAMODB: silent.endpoint,
        AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'x',
        AWS_REGION: 'us-east-1',
        CRUDDUR_AWS_REQUEST_TIMEOUT_MS: '600000',
        CRUDDUR_AWS_TOTAL_TIMEOUT_MS: '600000',
      };
      const clients = new AwsClients(resolveAwsSettings({ env }), undefined, env);
      const { ListTablesCommand } = await import('@aws-sdk/client-dynamodb');
      const client = await clients.dynamodb();
      const call = client.send(new ListTablesCommand({}));
      const settled = call.then(
        () => 'answered',
        () => 'ended',
      );
      // Wait until the request is on the wire, then give up on it the way a command's finally does.
      await expect.poll(() => silent.connections, { timeout: 20_000 }).toBeGreaterThan(0);
      clients.destroy();
      expect(await settled).toBe('ended');
    } finally {
      await silent.stop();
    }
  });
});

describe('endpoint settings', () => {
  it.each([
    ['AWS_ENDPOINT_URL', 'not a url'],
    ['AWS_ENDPOINT_URL_S3', 'localhost:4566'],
    ['AWS_ENDPOINT_URL_S3', 'ftp://127.0.0.1:21'],
  ])('%s=%s is named as not a URL before any call', async (name, value) => {
    const env = { [name]: value, AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'x' };
    const clients = new AwsClients(resolveAwsSettings({ env }), undefined, env);
    const error = await clients.s3().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'AWS_ENDPOINT_INVALID' });
    expect((error as Error).message).toBe(`The s3 endpoint ${JSON.stringify(value)} (from ${name}) is not an http(s) URL`);
    clients.destroy();
  });
});
