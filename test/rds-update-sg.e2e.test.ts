import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeAws, startFakeAws } from './support/aws-fake.js';
import { fakeEc2, type FakeRule } from './fakes/ec2.js';
import { parseJson, runCli } from './support/cli.js';
import { copyApp, type TempDir } from './support/tmp.js';

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
  const cli = (args: string[], extra: Record<string, string> = {}) => runCli(['rds', 'update-sg', ...args], { cwd: app.path, env: env(extra) });

  it('finds the rule by description, sends the exact IPv4 change, and does nothing the second time', async () => {
    const first = await cli([], { GITPOD_IP: '203.0.113.7' });
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
});
