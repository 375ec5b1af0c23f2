import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeAws, startFakeAws } from './support/aws-fake.js';
import { fakeEc2, type FakeRule } from './fakes/ec2.js';
import { parseJson, runCli } from './support/cli.js';
import { runCommand } from './support/command.js';
import { copyApp, tempDir, type TempDir } from './support/tmp.js';
import { startSilentServer, type SilentServer } from './fakes/silent-server.js';

// The commands run in the test process (runCommand: the EC2 client is loaded once per file, not once per call);
// the first update, the main success path, runs as a process (runCli).
describe('cruddur rds update-sg (built CLI against a fake EC2 endpoint)', () => {
  let fake: FakeAws;
  let app: TempDir;
  let echo: Server;
  let echoUrl = '';
  const state: { rules: FakeRule[] } = { rules: [] };
  beforeAll(async () => {
    fake = await startFakeAws();
    fakeEc2(fake, 'sg-0db', state);
    app = await copyApp();
    echo = createServer((_req, res) => res.end('2001:db8::42\n'));
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    const address = echo.address();
    echoUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
  });
  afterAll(async () => {
    await fake.stop();
    await app.cleanup();
    await new Promise<void>((resolve) => echo.close(() => resolve()));
  });
  beforeEach(() => {
    fake.requests.length = 0;
    state.rules = [
      { id: 'sgr-0ssh', cidrIpv4: '192.0.2.0/24', port: 22, description: 'office' },
      { id: 'sgr-0gitpod', cidrIpv4: '198.51.100.1/32', port: 5432, description: 'GITPOD' },
    ];
  });

  const env = (extra: Record<string, string> = {}) => ({
    AWS_ENDPOINT_URL_EC2: fake.endpoint,
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_REGION: 'us-east-1',
    DB_SG_ID: 'sg-0db',
    ...extra,
  });
  const cli = (args: string[], extra: Record<string, string> = {}, runner: typeof runCli = runCommand) => runner(['rds', 'update-sg', ...args], { cwd: app.path, env: env(extra) });

  it('finds the rule by description, sends the exact IPv4 change, and does nothing the second time', async () => {
    const first = await cli([], { GITPOD_IP: '203.0.113.7' }, runCli);
    expect(first.stderr).toBe('');
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toContain('Updated rule sgr-0gitpod in sg-0db (IP from GITPOD_IP)');
    expect(first.stdout).toContain('before: tcp 5432 from 198.51.100.1/32 "GITPOD"');
    expect(first.stdout).toContain('after:  tcp 5432 from 203.0.113.7/32 "GITPOD"');
    expect(fake.operations()).toEqual(['DescribeSecurityGroupRules', 'ModifySecurityGroupRules']);
    const { Action, Version, ...form } = fake.requests[1]?.form ?? {};
    expect({ Action, Version }).toEqual({ Action: 'ModifySecurityGroupRules', Version: '2016-11-15' });
    expect(form).toEqual({
      GroupId: 'sg-0db',
      'SecurityGroupRule.1.SecurityGroupRuleId': 'sgr-0gitpod',
      'SecurityGroupRule.1.SecurityGroupRule.IpProtocol': 'tcp',
      'SecurityGroupRule.1.SecurityGroupRule.FromPort': '5432',
      'SecurityGroupRule.1.SecurityGroupRule.ToPort': '5432',
      'SecurityGroupRule.1.SecurityGroupRule.CidrIpv4': '203.0.113.7/32',
      'SecurityGroupRule.1.SecurityGroupRule.Description': 'GITPOD',
    });
    expect(fake.requests[0]?.form).toMatchObject({ 'Filter.1.Name': 'group-id', 'Filter.1.Value.1': 'sg-0db' });

    fake.requests.length = 0;
    const second = await cli(['--json'], { GITPOD_IP: '203.0.113.7' });
    expect(second.exitCode).toBe(0);
    expect(parseJson(second)).toMatchObject({ action: 'unchanged', ruleId: 'sgr-0gitpod', cidr: '203.0.113.7/32' });
    expect(fake.operations()).toEqual(['DescribeSecurityGroupRules']);
    expect((await cli([], { GITPOD_IP: '203.0.113.7' })).stdout).toContain('already up to date');
  });

  it('detects an IPv6 address from an echo service and sends CidrIpv6 /128 for DB_SG_RULE_ID', async () => {
    const result = await cli(['--ip-service', echoUrl, '--json'], { DB_SG_RULE_ID: 'sgr-0gitpod' });
    expect(result.exitCode).toBe(0);
    expect(parseJson(result)).toMatchObject({ action: 'modified', foundBy: 'id', ip: { address: '2001:db8::42', family: 6, source: echoUrl }, cidr: '2001:db8::42/128' });
    const modify = fake.requests.find((r) => r.action === 'ModifySecurityGroupRules');
    expect(modify?.form['SecurityGroupRule.1.SecurityGroupRule.CidrIpv6']).toBe('2001:db8::42/128');
    expect(modify?.form).not.toHaveProperty('SecurityGroupRule.1.SecurityGroupRule.CidrIpv4');
  });

  it('--dry-run prints before/after and makes no write call', async () => {
    const result = await cli(['--dry-run', '--ip', '203.0.113.8']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Dry run: would change rule sgr-0gitpod in sg-0db');
    expect(result.stdout).toContain('after:  tcp 5432 from 203.0.113.8/32 "GITPOD"');
    expect(fake.operations()).toEqual(['DescribeSecurityGroupRules']);
  });

  it('refuses a wide --cidr with exit 2 and no AWS call', async () => {
    const result = await cli(['--cidr', '0.0.0.0/0']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('Error: --cidr 0.0.0.0/0 opens port to more than one host');
    expect(result.stderr).toContain('Try:');
    expect(fake.requests).toHaveLength(0);
  });

  it('lists the inbound rules when nothing matches', async () => {
    const result = await cli(['--description', 'CODESPACES', '--ip', '203.0.113.8']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('its inbound rules: sgr-0ssh tcp 22 from 192.0.2.0/24 "office"; sgr-0gitpod tcp 5432 from 198.51.100.1/32 "GITPOD"');
    expect(result.stderr).toContain('--create');
  });

  it('an explicit DB_SG_RULE_ID that does not resolve exits 1 listing the inbound rules, and writes nothing', async () => {
    const result = await cli(['--ip', '203.0.113.8'], { DB_SG_RULE_ID: 'sgr-nope' });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('Error: DB_SG_RULE_ID sgr-nope is not an inbound rule of sg-0db; its inbound rules: sgr-0ssh tcp 22 from 192.0.2.0/24 "office"; sgr-0gitpod tcp 5432 from 198.51.100.1/32 "GITPOD"');
    expect(result.stderr).toContain('Try:');
    expect(fake.operations()).toEqual(['DescribeSecurityGroupRules']);
  });

  it('an IP a teammate\'s rule already allows is reported with that rule, exit 0, no write; the dry run says the same', async () => {
    state.rules.push({ id: 'sgr-0mate', cidrIpv4: '198.51.100.7/32', port: 5432, description: 'teammate laptop' });
    for (const args of [[], ['--dry-run']]) {
      const result = await cli([...args, '--ip', '198.51.100.7']);
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toContain('198.51.100.7/32 on port 5432 is already allowed in sg-0db by rule sgr-0mate "teammate laptop"');
    }
    const json = parseJson<{ action: string; allowedBy: { ruleId: string } }>(await cli(['--ip', '198.51.100.7', '--json']));
    expect(json).toMatchObject({ action: 'already-allowed', allowedBy: { ruleId: 'sgr-0mate' } });
    expect(fake.operations()).toEqual(['DescribeSecurityGroupRules', 'DescribeSecurityGroupRules', 'DescribeSecurityGroupRules']);
  });
});

describe('cruddur rds update-sg with ~/.aws/config (temporary HOME, fake EC2 that logs the signing region and host)', () => {
  let fake: FakeAws;
  let silent: SilentServer;
  let app: TempDir;
  let home: TempDir;
  const state: { rules: FakeRule[] } = { rules: [] };
  beforeAll(async () => {
    fake = await startFakeAws();
    silent = await startSilentServer();
    fakeEc2(fake, 'sg-0db', state);
    app = await copyApp();
    home = await tempDir('cruddur-aws-home-');
    await mkdir(join(home.path, '.aws', 'sso', 'cache'), { recursive: true });
    await writeFile(
      join(home.path, '.aws', 'config'),
      `[default]
region = ca-central-1

[profile dev]
region = eu-west-2

[profile localstack]
region = ap-south-1
endpoint_url = ${fake.endpoint}

[profile sso]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = dev
region = eu-west-1

[sso-session corp]
sso_start_url = http://127.0.0.1:9/start
sso_region = eu-west-1
`,
    );
    await writeFile(join(home.path, '.aws', 'credentials'), '[dev]\naws_access_key_id = AKIADEVEXAMPLE\naws_secret_access_key = dev-secret-example\n');
    const cacheName = createHash('sha1').update('corp').digest('hex');
    await writeFile(join(home.path, '.aws', 'sso', 'cache', `${cacheName}.json`), JSON.stringify({ startUrl: 'http://127.0.0.1:9/start', region: 'eu-west-1', accessToken: 'old', expiresAt: '2026-01-01T00:00:00Z' }));
  });
  afterAll(async () => {
    await fake.stop();
    await silent.stop();
    await app.cleanup();
    await home.cleanup();
  });
  beforeEach(() => {
    fake.requests.length = 0;
    state.rules = [{ id: 'sgr-0gitpod', cidrIpv4: '203.0.113.8/32', port: 5432, description: 'GITPOD' }];
  });

  const keys = { AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
  const cli = (args: string[], extra: Record<string, string> = {}) =>
    runCommand(['rds', 'update-sg', '--ip', '203.0.113.8', ...args], {
      cwd: app.path,
      env: { HOME: home.path, AWS_CONFIG_FILE: join(home.path, '.aws', 'config'), AWS_SHARED_CREDENTIALS_FILE: join(home.path, '.aws', 'credentials'), DB_SG_ID: 'sg-0db', ...extra },
    });
  const signingRegion = () => /Credential=[^/]+\/\d+\/([^/]+)\/ec2\//.exec(fake.requests[0]?.headers.authorization ?? '')?.[1];

  it.each([
    ['the [default] profile', [], {}, 'ca-central-1'],
    ['AWS_PROFILE=dev', [], { AWS_PROFILE: 'dev' }, 'eu-west-2'],
    // --profile wins over keys in the environment (the AWS CLI drops them too): signed with the profile's key.
    ['--profile dev', ['--profile', 'dev'], {}, 'eu-west-2'],
    ['AWS_DEFAULT_REGION over the profile', [], { AWS_PROFILE: 'dev', AWS_DEFAULT_REGION: 'sa-east-1' }, 'sa-east-1'],
    ['--region over everything', ['--region', 'us-west-2'], { AWS_PROFILE: 'dev', AWS_REGION: 'eu-north-1' }, 'us-west-2'],
  ])('signs for the region of %s', async (_name, args, extra, region) => {
    const result = await cli(args, { ...keys, AWS_ENDPOINT_URL_EC2: fake.endpoint, ...extra });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(signingRegion()).toBe(region);
  });

  it('takes the endpoint_url of a profile (LocalStack), and AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true turns it and AWS_ENDPOINT_URL off', async () => {
    const result = await cli(['--verbose'], { ...keys, AWS_PROFILE: 'localstack' });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(signingRegion()).toBe('ap-south-1');
    expect(result.stderr).toContain(`aws endpoint ec2 ${fake.endpoint} (profile localstack in ~/.aws/config)`);
    expect(result.stderr).toContain('aws region ap-south-1 (profile localstack in ~/.aws/config)');
    fake.requests.length = 0;
    // Ignored: the call would go to AWS itself; with the connect limit at its smallest and no network it fails
    // without reaching this fake. The verbose listing shows the switch and its source.
    const ignored = await cli(['--verbose', '--dry-run'], { ...keys, AWS_PROFILE: 'localstack', AWS_ENDPOINT_URL: fake.endpoint, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true', AWS_MAX_ATTEMPTS: '1', CRUDDUR_AWS_CONNECT_TIMEOUT_MS: '1', CRUDDUR_AWS_TOTAL_TIMEOUT_MS: '1' });
    expect(ignored.stderr).toContain('aws endpoint ec2 AWS (AWS_IGNORE_CONFIGURED_ENDPOINT_URLS)');
    expect(ignored.exitCode).toBe(1);
    expect(fake.requests).toHaveLength(0);
  });

  it('an expired SSO session names the profile and `aws sso login --profile sso`', async () => {
    const result = await cli([], { AWS_PROFILE: 'sso', AWS_ENDPOINT_URL_EC2: fake.endpoint, AWS_ENDPOINT_URL_SSO: silent.endpoint, AWS_ENDPOINT_URL_SSO_OIDC: silent.endpoint });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('Error: Could not list the rules of security group sg-0db: the SSO session of profile sso has expired or was never started');
    expect(result.stderr).toContain('Try: run `aws sso login --profile sso`, then run again');
    expect(fake.requests).toHaveLength(0);
  });

  it('an unknown profile names it and the config file', async () => {
    const result = await cli([], { AWS_PROFILE: 'typo', AWS_ENDPOINT_URL_EC2: fake.endpoint });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`AWS profile "typo" (from AWS_PROFILE) is not in ${join(home.path, '.aws', 'config')}`);
  });

  it('an EC2 endpoint that accepts and never answers fails within the limit, naming ec2 and the endpoint', async () => {
    const result = await cli([], { ...keys, AWS_ENDPOINT_URL_EC2: silent.endpoint, CRUDDUR_AWS_REQUEST_TIMEOUT_MS: '300', CRUDDUR_AWS_TOTAL_TIMEOUT_MS: '1500' });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`ec2 at ${silent.endpoint} did not answer`);
    expect(result.stderr).toContain('Try:');
  });
});
