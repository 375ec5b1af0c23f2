import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeEc2 } from './fakes/ec2.js';
import { startFakeAws, type FakeAws } from './support/aws-fake.js';
import { parseJson, registerSecret, runCli } from './support/cli.js';
import { runCommand } from './support/command.js';
import { copyApp, FIXTURE_APP, parseEnvFile, tempDir, type TempDir } from './support/tmp.js';

const PASSWORD = 'ecr-docker-Pa55word-0123456789';
const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKE1234', AWS_SECRET_ACCESS_KEY: 'fakeSecretKeyForTests/abcdefghijklmnop', AWS_REGION: 'us-east-1' };
registerSecret(PASSWORD);
registerSecret(Buffer.from(`AWS:${PASSWORD}`).toString('base64'));
registerSecret(CREDENTIALS.AWS_SECRET_ACCESS_KEY);

// In the test process (runCommand), but for the main success paths of ecr login and bootstrap as processes (runCli).
describe('ecr login and bootstrap against a fake ECR and a fake docker', () => {
  let ecr: FakeAws;
  let bin: TempDir;
  let app: TempDir;
  let demoEnv: Record<string, string>;
  const record = () => join(bin.path, 'docker-calls.txt');

  beforeAll(async () => {
    ecr = await startFakeAws();
    ecr.onOperation('GetAuthorizationToken', () => ({
      body: JSON.stringify({
        authorizationData: [{ authorizationToken: Buffer.from(`AWS:${PASSWORD}`).toString('base64'), expiresAt: 1795467600, proxyEndpoint: 'https://123456789012.dkr.ecr.us-east-1.amazonaws.com' }],
      }),
    }));
    bin = await tempDir();
    // A stand-in docker that records its arguments and stdin.
    await writeFile(join(bin.path, 'docker'), `#!/bin/sh\necho "args: $*" >> "${record()}"\necho "stdin: $(cat)" >> "${record()}"\necho "Login Succeeded"\n`);
    await chmod(join(bin.path, 'docker'), 0o755);
    app = await copyApp(FIXTURE_APP);
    demoEnv = parseEnvFile(await readFile(join(FIXTURE_APP, 'demo.env'), 'utf8'));
  });
  afterAll(async () => {
    await ecr.stop();
    await bin.cleanup();
    await app.cleanup();
  });

  it('ecr login: one GetAuthorizationToken, docker gets the password on stdin only', async () => {
    const result = await runCli(['ecr', 'login'], {
      cwd: app.path,
      env: { ...CREDENTIALS, AWS_ENDPOINT_URL_ECR: ecr.endpoint, PATH: `${bin.path}:${process.env.PATH}` },
    });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^Logged in to 123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com/);
    expect(ecr.operations()).toEqual(['GetAuthorizationToken']);
    expect(JSON.parse(ecr.requests[0]?.body ?? 'null')).toEqual({});
    const calls = await readFile(record(), 'utf8');
    expect(calls).toBe(`args: login --username AWS --password-stdin 123456789012.dkr.ecr.us-east-1.amazonaws.com\nstdin: ${PASSWORD}\n`);
  });

  it('ecr login without docker: clear error, no AWS call', async () => {
    const before = ecr.requests.length;
    const emptyPath = await tempDir();
    try {
      const result = await runCommand(['ecr', 'login'], { cwd: app.path, env: { ...CREDENTIALS, AWS_ENDPOINT_URL_ECR: ecr.endpoint, PATH: emptyPath.path } });
      expect(result.exitCode).toBe(1);
      expect(result.stderr.split('\n')[0]).toBe('Error: docker is not installed (not found on PATH)');
      expect(ecr.requests.length).toBe(before);
    } finally {
      await emptyPath.cleanup();
    }
  });

  it('bootstrap skips ECR without credentials, renders env files, and reports each step', async () => {
    const result = await runCli(['bootstrap', '--json'], { cwd: app.path, env: { ...demoEnv, PATH: `${bin.path}:${process.env.PATH}` } });
    expect(result.exitCode).toBe(0);
    const json = parseJson<{ ok: boolean; tasks: Array<{ id: string; status: string; detail?: string }> }>(result);
    expect(json.ok).toBe(true);
    expect(json.tasks.map((t) => [t.id, t.status, t.detail])).toEqual([
      ['ecr', 'skipped', 'no AWS credentials found'],
      ['env', 'done', '3 written, 0 unchanged'],
      ['rds', 'skipped', expect.stringMatching(/^DB_SG_ID is not set/)],
      ['db', 'skipped', 'pass --db to set up the database'],
      ['prepare', 'skipped', 'pass --prepare to run it'],
    ]);
    const again = parseJson<{ tasks: Array<{ id: string; detail?: string }> }>(
      await runCommand(['bootstrap', '--json', '--skip', 'ecr'], { cwd: app.path, env: demoEnv }),
    );
    expect(again.tasks.map((t) => t.detail)).toEqual(['--skip ecr', '0 written, 3 unchanged', expect.stringMatching(/^DB_SG_ID is not set/), 'pass --db to set up the database', 'pass --prepare to run it']);
  });

  it('bootstrap logs in to ECR when docker and credentials exist, and exits 1 naming a failed step', async () => {
    const { DOMAIN_NAME: _d, ...partial } = demoEnv;
    const result = await runCommand(['bootstrap'], {
      cwd: app.path,
      env: { ...partial, ...CREDENTIALS, AWS_ENDPOINT_URL_ECR: ecr.endpoint, PATH: `${bin.path}:${process.env.PATH}` },
    });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/^ecr\s+done\s+logged in to 123456789012\.dkr\.ecr/m);
    expect(result.stdout).toMatch(/^env\s+failed\s+1 variable is not set: DOMAIN_NAME/m);
    expect(result.stderr).toContain('Error: bootstrap failed at: env');
  });

  it('bootstrap runs rds update-sg when DB_SG_ID is set, and a re-run changes nothing', async () => {
    const ec2 = await startFakeAws();
    const state = { rules: [{ id: 'sgr-0aaa', port: 5432, cidrIpv4: '198.51.100.1/32', description: 'GITPOD' }] };
    fakeEc2(ec2, 'sg-0123', state);
    try {
      const env = { ...demoEnv, ...CREDENTIALS, DB_SG_ID: 'sg-0123', GITPOD_IP: '203.0.113.7', AWS_ENDPOINT_URL_EC2: ec2.endpoint };
      const first = parseJson<{ tasks: Array<{ id: string; status: string; detail?: string }> }>(
        await runCommand(['bootstrap', '--json', '--skip', 'ecr'], { cwd: app.path, env }),
      );
      expect(first.tasks.find((t) => t.id === 'rds')).toMatchObject({ status: 'done', detail: expect.stringContaining('203.0.113.7/32') });
      expect(state.rules[0]).toMatchObject({ cidrIpv4: '203.0.113.7/32', description: 'GITPOD' });
      const again = parseJson<{ tasks: Array<{ id: string; detail?: string }> }>(await runCommand(['bootstrap', '--json', '--skip', 'ecr'], { cwd: app.path, env }));
      expect(again.tasks.find((t) => t.id === 'rds')?.detail).toMatch(/already allows 203\.0\.113\.7\/32/);
      expect(ec2.operations().filter((o) => o === 'ModifySecurityGroupRules')).toHaveLength(1);
    } finally {
      await ec2.stop();
    }
  });
});
