import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../src/doctor/run.js';
import { startLocalDynamo, type LocalDynamoHandle } from '../src/local/dynamodb.js';
import { fakeEc2 } from './fakes/ec2.js';
import { fakeCloudFront, fakeSts } from './fakes/identity.js';
import { startFakeAws, type FakeAws } from './support/aws-fake.js';
import { parseJson, registerSecret, runCli } from './support/cli.js';
import { runCommand } from './support/command.js';
import { startTestPostgres, type TestPostgres } from './support/postgres.js';
import { startTestS3, type TestS3 } from './support/s3.js';
import { copyApp, FIXTURE_APP, parseEnvFile, tempDir, type TempDir } from './support/tmp.js';

const statuses = (report: DoctorReport) => Object.fromEntries(report.checks.map((c) => [c.id, c.status]));

// Commands run in this process (runCommand); the passing `doctor` (exit 0) runs as a process, its end-to-end case.

describe('cruddur doctor (built CLI)', () => {
  let bare: TempDir;
  let configured: TempDir;
  let bins: TempDir;
  let pg: TestPostgres;
  let s3: TestS3;
  let fake: FakeAws;
  let dynamo: LocalDynamoHandle;
  let demoEnv: Record<string, string>;
  beforeAll(async () => {
    demoEnv = parseEnvFile(await readFile(join(FIXTURE_APP, 'demo.env'), 'utf8'));
    [bare, configured, bins, pg, s3, fake, dynamo] = await Promise.all([
      copyApp(),
      copyApp(),
      tempDir('cruddur-bin-'),
      startTestPostgres(),
      startTestS3([demoEnv.UPLOADS_BUCKET_NAME ?? '', demoEnv.ASSETS_BUCKET_NAME ?? '', demoEnv.DOMAIN_NAME ?? '']),
      startFakeAws(),
      startLocalDynamo(),
    ]);
    // psql and docker stand-ins, so the result does not depend on what this machine has installed.
    await mkdir(join(bins.path, 'with'));
    await mkdir(join(bins.path, 'without'));
    for (const program of ['psql', 'docker']) {
      await writeFile(join(bins.path, 'with', program), '#!/bin/sh\nexit 0\n');
      await chmod(join(bins.path, 'with', program), 0o755);
    }
    fakeSts(fake, '123456789012', 'arn:aws:iam::123456789012:user/andrew');
    fakeCloudFront(fake, 'EDEMO', 'd111111abcdef8.cloudfront.net');
    fakeEc2(fake, 'sg-0db', { rules: [{ id: 'sgr-0gitpod', cidrIpv4: '203.0.113.7/32', port: 5432, description: 'GITPOD' }] });
  });
  afterAll(async () => {
    await Promise.all([bare?.cleanup(), configured?.cleanup(), bins?.cleanup(), pg?.stop(), s3?.stop(), fake?.stop(), dynamo?.close()]);
  });

  it('with nothing configured lists every missing piece with a fix and exits 1', async () => {
    const env = { PATH: join(bins.path, 'without') };
    const text = await runCommand(['doctor'], { cwd: bare.path, env });
    expect(text.exitCode).toBe(1);
    expect(text.stderr).toContain('Error: 3 checks failed: env template backend-flask, env template frontend-react-js, env template sync');
    expect(text.stderr).toContain('Try: apply the fixes');
    for (const title of ['Node.js version', 'psql', 'docker', 'AWS identity', 'database (CONNECTION_URL)', 'bucket UPLOADS_BUCKET_NAME', 'bucket ASSETS_BUCKET_NAME', 'bucket SYNC_S3_BUCKET', 'CloudFront distribution', 'RDS security group rule']) {
      expect(text.stdout).toContain(title);
    }

    const json = await runCommand(['doctor', '--json'], { cwd: bare.path, env });
    expect(json.exitCode).toBe(1);
    const report = parseJson<DoctorReport>(json);
    expect(report.ok).toBe(false);
    expect(statuses(report)).toEqual({
      node: 'ok',
      'cruddur-deps': 'ok',
      'frontend-deps': 'ok',
      'program-psql': 'warn',
      'program-docker': 'warn',
      'template-backend-flask': 'fail',
      'template-frontend-react-js': 'fail',
      'template-sync': 'fail',
      'aws-identity': 'skip',
      database: 'skip',
      dynamodb: 'skip',
      'bucket-UPLOADS_BUCKET_NAME': 'skip',
      'bucket-ASSETS_BUCKET_NAME': 'skip',
      'bucket-SYNC_S3_BUCKET': 'skip',
      cloudfront: 'skip',
      'security-group': 'skip',
    });
    for (const check of report.checks.filter((c) => c.status !== 'ok')) expect(check.fix, check.id).toBeTruthy();
    const fixes = report.checks.map((c) => c.fix ?? '').join('\n');
    for (const variable of ['CONNECTION_URL', 'DOMAIN_NAME', 'AWS_ACCESS_KEY_ID', 'UPLOADS_BUCKET_NAME', 'ASSETS_BUCKET_NAME', 'SYNC_S3_BUCKET', 'CLOUDFRONT_DISTRIBUTION_ID', 'DB_SG_ID']) {
      expect(fixes).toContain(variable);
    }
    expect(fake.requests).toHaveLength(0);
  });

  it('with a local stack and fake AWS configured, every check passes and it exits 0', async () => {
    const { url } = await pg.createDatabase('doctor');
    registerSecret(new URL(url).password);
    const env = {
      ...demoEnv,
      ...s3.env,
      PATH: join(bins.path, 'with'),
      CONNECTION_URL: url,
      AWS_ENDPOINT_URL_STS: fake.endpoint,
      AWS_ENDPOINT_URL_CLOUDFRONT: fake.endpoint,
      AWS_ENDPOINT_URL_EC2: fake.endpoint,
      CLOUDFRONT_DISTRIBUTION_ID: 'EDEMO',
      DB_SG_ID: 'sg-0db',
      GITPOD_IP: '203.0.113.7',
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    };
    expect((await runCommand(['ddb', 'schema-load'], { cwd: configured.path, env })).exitCode).toBe(0);
    const generated = await runCommand(['env', 'generate'], { cwd: configured.path, env });
    expect(generated.exitCode, generated.stderr).toBe(0);

    // Every service here answers: a generous per-check limit, so a starved machine (four test files at once)
    // cannot turn slow module loading into "no answer".
    const json = await runCommand(['doctor', '--json', '--timeout', '30000'], { cwd: configured.path, env });
    const report = parseJson<DoctorReport>(json);
    expect(report.checks.filter((c) => c.status !== 'ok')).toEqual([]);
    expect(json.exitCode).toBe(0);
    const detail = Object.fromEntries(report.checks.map((c) => [c.id, c.detail]));
    expect(detail['aws-identity']).toBe('account 123456789012, arn:aws:iam::123456789012:user/andrew (region us-east-1)');
    expect(detail.cloudfront).toBe('EDEMO Deployed d111111abcdef8.cloudfront.net');
    expect(detail['security-group']).toBe('sg-0db sgr-0gitpod allows 203.0.113.7/32 on 5432');
    expect(detail['bucket-SYNC_S3_BUCKET']).toContain(`s3://${demoEnv.DOMAIN_NAME} reachable`);
    expect(detail.database).toMatch(/reachable \(PostgreSQL 17/);
    expect(detail.dynamodb).toBe(`cruddur-messages ACTIVE at ${dynamo.endpoint}`);
    expect(fake.operations().sort()).toEqual(['DescribeSecurityGroupRules', 'GET /2020-05-31/distribution/EDEMO', 'GetCallerIdentity']);
    // Each setting with where it came from: the site bucket from the generated sync.env, as `frontend sync` reads it.
    const settings = Object.fromEntries(report.settings.map((s) => [s.key, s]));
    expect(settings.syncBucket).toMatchObject({ variable: 'SYNC_S3_BUCKET', value: demoEnv.DOMAIN_NAME, source: 'sync.env' });
    expect(settings.connectionUrl).toMatchObject({ variable: 'CONNECTION_URL', value: `127.0.0.1:${new URL(url).port}${new URL(url).pathname}`, source: 'env' });
    expect(settings.securityGroupRuleId).toMatchObject({ value: null, source: null });

    const text = await runCli(['doctor', '--timeout', '30000'], { cwd: configured.path, env });
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toContain(`${report.checks.length} ok, 0 warnings, 0 failed, 0 skipped`);
    expect(text.stdout).toMatch(/^frontend sync bucket +\S+ +SYNC_S3_BUCKET \(sync\.env\)$/m);
    expect(text.stderr).toBe('');
  });
});
