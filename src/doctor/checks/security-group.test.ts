import { DescribeSecurityGroupRulesCommand, EC2Client, ModifySecurityGroupRulesCommand, AuthorizeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsClients, resolveAwsSettings } from '../../aws/clients.js';
import { silentLogger } from '../../core/output.js';
import { securityGroupOutcome } from './security-group.js';

const ec2 = mockClient(EC2Client);
const aws = new AwsClients(resolveAwsSettings({ env: { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'x' } }));
afterAll(() => {
  aws.destroy();
  ec2.restore();
});
beforeEach(() => {
  ec2.reset();
  ec2.on(DescribeSecurityGroupRulesCommand).resolves({
    SecurityGroupRules: [{ SecurityGroupRuleId: 'sgr-1', GroupId: 'sg-1', IsEgress: false, IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, CidrIpv4: '203.0.113.7/32', Description: 'GITPOD' }],
  });
});
const check = (env: Record<string, string>) => securityGroupOutcome({ env, aws, logger: silentLogger, timeoutMs: 3000 });

describe('security-group check', () => {
  it('skips with DB_SG_ID as the fix when no group is configured', async () => {
    await expect(check({ GITPOD_IP: '203.0.113.7' })).resolves.toMatchObject({ status: 'skip', fix: expect.stringContaining('DB_SG_ID') });
    expect(ec2.calls()).toHaveLength(0);
  });

  it('passes when the rule allows this IP', async () => {
    await expect(check({ DB_SG_ID: 'sg-1', GITPOD_IP: '203.0.113.7' })).resolves.toEqual({ status: 'ok', detail: 'sg-1 sgr-1 allows 203.0.113.7/32 on 5432' });
  });

  it('fails, read only, when the rule allows another IP', async () => {
    await expect(check({ DB_SG_ID: 'sg-1', GITPOD_IP: '198.51.100.4' })).resolves.toEqual({
      status: 'fail',
      detail: 'sg-1 sgr-1 allows tcp 5432 from 203.0.113.7/32 "GITPOD", but this machine is 198.51.100.4 (GITPOD_IP)',
      fix: 'run `cruddur rds update-sg`',
    });
    expect(ec2.commandCalls(ModifySecurityGroupRulesCommand)).toHaveLength(0);
    expect(ec2.commandCalls(AuthorizeSecurityGroupIngressCommand)).toHaveLength(0);
  });

  it('throws the lookup error (the runner shows it as a failure with its fix) when no rule matches', async () => {
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({
      SecurityGroupRules: [{ SecurityGroupRuleId: 'sgr-2', GroupId: 'sg-1', IsEgress: false, IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIpv4: '192.0.2.0/24', Description: 'office' }],
    });
    await expect(check({ DB_SG_ID: 'sg-1', GITPOD_IP: '198.51.100.4' })).rejects.toMatchObject({ code: 'RDS_NO_RULE', message: expect.stringContaining('sgr-2 tcp 22 from 192.0.2.0/24 "office"') });
  });
});
