import { DescribeSecurityGroupRulesCommand, EC2Client, ModifySecurityGroupRulesCommand } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsClients, resolveAwsSettings } from '../aws/clients.js';
import { loadProjectConfig } from '../core/config.js';
import { silentLogger } from '../core/output.js';
import { tempDir, type TempDir } from '../../test/support/tmp.js';
import { rdsUpdateSgSkipReason, runRdsUpdateSg } from './bootstrap.js';

describe('bootstrap step rds update-sg', () => {
  const ec2 = mockClient(EC2Client);
  let dir: TempDir;
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(async () => {
    ec2.restore();
    await dir.cleanup();
  });

  it('is skipped with a reason when DB_SG_ID is unset', async () => {
    const project = loadProjectConfig({ cwd: dir.path, env: {} });
    const aws = new AwsClients(resolveAwsSettings({ env: {} }));
    await expect(runRdsUpdateSg(project, aws, silentLogger)).resolves.toEqual({ status: 'skipped', reason: expect.stringContaining('DB_SG_ID is not set') });
    expect(ec2.calls()).toHaveLength(0);
    expect(rdsUpdateSgSkipReason({ DB_SG_ID: 'sg-1' })).toBeUndefined();
  });

  it('updates the rule when DB_SG_ID is set', async () => {
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({
      SecurityGroupRules: [{ SecurityGroupRuleId: 'sgr-1', GroupId: 'sg-1', IsEgress: false, IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, CidrIpv4: '198.51.100.1/32', Description: 'GITPOD' }],
    });
    ec2.on(ModifySecurityGroupRulesCommand).resolves({ Return: true });
    const env = { DB_SG_ID: 'sg-1', GITPOD_IP: '203.0.113.7', AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'x' };
    const project = loadProjectConfig({ cwd: dir.path, env });
    const aws = new AwsClients(resolveAwsSettings({ env }));
    const outcome = await runRdsUpdateSg(project, aws, silentLogger);
    aws.destroy();
    expect(outcome).toMatchObject({ status: 'done', summary: 'sg-1 sgr-1 modified: tcp 5432 from 203.0.113.7/32 "GITPOD"' });
    expect(ec2.commandCalls(ModifySecurityGroupRulesCommand)).toHaveLength(1);
  });
});
