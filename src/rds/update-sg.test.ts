import {
  AuthorizeSecurityGroupIngressCommand,
  DescribeSecurityGroupRulesCommand,
  EC2Client,
  ModifySecurityGroupRulesCommand,
  type SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../core/output.js';
import { createSecurityGroups } from './security-groups.js';
import { updateSecurityGroup, type UpdateSgOptions } from './update-sg.js';

const ec2 = mockClient(EC2Client);
const client = new EC2Client({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' } });
afterAll(() => {
  client.destroy();
  ec2.restore();
});

const awsRule = (over: Partial<SecurityGroupRule>): SecurityGroupRule => ({
  SecurityGroupRuleId: 'sgr-0gitpod',
  GroupId: 'sg-0db',
  IsEgress: false,
  IpProtocol: 'tcp',
  FromPort: 5432,
  ToPort: 5432,
  CidrIpv4: '198.51.100.1/32',
  Description: 'GITPOD',
  ...over,
});
const egress = awsRule({ SecurityGroupRuleId: 'sgr-0out', IsEgress: true, IpProtocol: '-1', FromPort: -1, ToPort: -1, CidrIpv4: '0.0.0.0/0', Description: undefined });

let rules: SecurityGroupRule[] = [];
const warnings: string[] = [];
const logger: Logger = { info() {}, debug() {}, warn: (m) => warnings.push(m) };

beforeEach(() => {
  ec2.reset();
  warnings.length = 0;
  ec2.on(DescribeSecurityGroupRulesCommand).callsFake(() => ({ SecurityGroupRules: rules }));
  // Modifying applies the change, so a second run sees the new state like it would on AWS.
  ec2.on(ModifySecurityGroupRulesCommand).callsFake((input: { SecurityGroupRules: Array<{ SecurityGroupRuleId: string; SecurityGroupRule: SecurityGroupRule }> }) => {
    for (const change of input.SecurityGroupRules) {
      rules = rules.map((r) => (r.SecurityGroupRuleId === change.SecurityGroupRuleId ? { ...r, CidrIpv4: undefined, CidrIpv6: undefined, ...change.SecurityGroupRule } : r));
    }
    return { Return: true };
  });
  ec2.on(AuthorizeSecurityGroupIngressCommand).resolves({ Return: true, SecurityGroupRules: [{ SecurityGroupRuleId: 'sgr-0new' }] });
});

const run = (options: UpdateSgOptions, env: Record<string, string> = { DB_SG_ID: 'sg-0db', DB_SG_RULE_ID: 'sgr-0gitpod' }) =>
  updateSecurityGroup({ env, groups: createSecurityGroups(client), logger }, options);
const writes = () => [...ec2.commandCalls(ModifySecurityGroupRulesCommand), ...ec2.commandCalls(AuthorizeSecurityGroupIngressCommand)];

describe('updateSecurityGroup', () => {
  it('sets <ip>/32 on the rule from DB_SG_RULE_ID, keeping its description, then does nothing on the second run', async () => {
    rules = [awsRule({ Description: 'GITPOD' }), egress];
    const first = await run({ ip: '203.0.113.7' });
    expect(first).toMatchObject({ action: 'modified', ruleId: 'sgr-0gitpod', foundBy: 'id', cidr: '203.0.113.7/32' });
    expect(ec2.commandCalls(DescribeSecurityGroupRulesCommand)[0]?.args[0].input).toEqual({ Filters: [{ Name: 'group-id', Values: ['sg-0db'] }] });
    expect(ec2.commandCalls(ModifySecurityGroupRulesCommand).map((c) => c.args[0].input)).toEqual([
      {
        GroupId: 'sg-0db',
        SecurityGroupRules: [
          {
            SecurityGroupRuleId: 'sgr-0gitpod',
            SecurityGroupRule: { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, CidrIpv4: '203.0.113.7/32', Description: 'GITPOD' },
          },
        ],
      },
    ]);
    const second = await run({ ip: '203.0.113.7' });
    expect(second).toMatchObject({ action: 'unchanged', before: { cidr: '203.0.113.7/32' } });
    expect(writes()).toHaveLength(1);
  });

  it('uses CidrIpv6 with /128 for an IPv6 address and the --port', async () => {
    rules = [awsRule({ FromPort: 5433, ToPort: 5433, Description: 'dev box' })];
    const result = await run({ ip: '2001:DB8::7', port: 5433 });
    expect(result).toMatchObject({ action: 'modified', cidr: '2001:db8::7/128', before: { cidr: '198.51.100.1/32' } });
    expect(ec2.commandCalls(ModifySecurityGroupRulesCommand)[0]?.args[0].input).toEqual({
      GroupId: 'sg-0db',
      SecurityGroupRules: [
        {
          SecurityGroupRuleId: 'sgr-0gitpod',
          SecurityGroupRule: { IpProtocol: 'tcp', FromPort: 5433, ToPort: 5433, CidrIpv6: '2001:db8::7/128', Description: 'dev box' },
        },
      ],
    });
    await expect(run({ ip: '2001:db8:0::7', port: 5433 })).resolves.toMatchObject({ action: 'unchanged' });
    expect(writes()).toHaveLength(1);
  });

  it('finds the rule by description and port when no rule id is set', async () => {
    rules = [awsRule({ SecurityGroupRuleId: 'sgr-0ssh', FromPort: 22, ToPort: 22 }), awsRule({ SecurityGroupRuleId: 'sgr-0cs', Description: 'CODESPACES' }), egress];
    const result = await run({ ip: '203.0.113.7', description: 'CODESPACES' }, { DB_SG_ID: 'sg-0db' });
    expect(result).toMatchObject({ action: 'modified', ruleId: 'sgr-0cs', foundBy: 'description' });
    expect(ec2.commandCalls(ModifySecurityGroupRulesCommand)[0]?.args[0].input.SecurityGroupRules?.[0]?.SecurityGroupRuleId).toBe('sgr-0cs');
  });

  it('an explicit DB_SG_RULE_ID that does not resolve is an error listing the inbound rules, even when a rule has the description', async () => {
    rules = [awsRule({ SecurityGroupRuleId: 'sgr-0recreated' }), egress];
    const error = await run({ ip: '203.0.113.7' }, { DB_SG_ID: 'sg-0db', DB_SG_RULE_ID: 'sgr-nope' }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'RDS_NO_SUCH_RULE',
      exitCode: 1,
      message: 'DB_SG_RULE_ID sgr-nope is not an inbound rule of sg-0db; its inbound rules: sgr-0recreated tcp 5432 from 198.51.100.1/32 "GITPOD"',
      suggestion: expect.stringContaining('DB_SG_RULE_ID'),
    });
    await expect(run({ ip: '203.0.113.7', ruleId: 'sgr-nope' }, { DB_SG_ID: 'sg-0db' })).rejects.toMatchObject({ code: 'RDS_NO_SUCH_RULE', message: expect.stringContaining('--rule-id sgr-nope') });
    expect(writes()).toHaveLength(0);
  });

  it.each([
    ['a teammate\'s rule for the same host', awsRule({ SecurityGroupRuleId: 'sgr-0mate', CidrIpv4: '198.51.100.7/32', Description: 'teammate laptop' }), '198.51.100.7'],
    ['a wider CIDR on a port range', awsRule({ SecurityGroupRuleId: 'sgr-0mate', CidrIpv4: '198.51.100.0/24', FromPort: 5000, ToPort: 6000, Description: 'office' }), '198.51.100.7'],
    ['an all-traffic rule', awsRule({ SecurityGroupRuleId: 'sgr-0mate', IpProtocol: '-1', FromPort: -1, ToPort: -1, CidrIpv4: '198.51.100.7/32', Description: 'vpn' }), '198.51.100.7'],
    ['an IPv6 network', awsRule({ SecurityGroupRuleId: 'sgr-0mate', CidrIpv4: undefined, CidrIpv6: '2001:db8::/64', Description: 'v6 office' }), '2001:db8::7'],
  ])('an IP already allowed by another rule (%s) is reported with that rule and changes nothing, dry run alike', async (_name, mate, ip) => {
    rules = [awsRule({}), mate, egress];
    for (const dryRun of [false, true]) {
      const result = await run({ ip, dryRun });
      expect(result).toMatchObject({ action: 'already-allowed', ruleId: 'sgr-0gitpod', dryRun, allowedBy: { ruleId: 'sgr-0mate', description: mate.Description } });
    }
    expect(writes()).toHaveLength(0);
  });

  it('still updates when other rules allow another port, protocol, family or host', async () => {
    rules = [
      awsRule({}),
      awsRule({ SecurityGroupRuleId: 'sgr-0ssh', FromPort: 22, ToPort: 22, CidrIpv4: '203.0.113.7/32', Description: 'ssh' }),
      awsRule({ SecurityGroupRuleId: 'sgr-0udp', IpProtocol: 'udp', CidrIpv4: '203.0.113.7/32', Description: 'udp' }),
      awsRule({ SecurityGroupRuleId: 'sgr-0v6', CidrIpv4: undefined, CidrIpv6: '::/0', Description: 'v6' }),
      awsRule({ SecurityGroupRuleId: 'sgr-0near', CidrIpv4: '203.0.113.8/32', Description: 'near' }),
      awsRule({ SecurityGroupRuleId: 'sgr-0out2', IsEgress: true, IpProtocol: '-1', CidrIpv4: '0.0.0.0/0', Description: 'egress' }),
    ];
    await expect(run({ ip: '203.0.113.7' })).resolves.toMatchObject({ action: 'modified', ruleId: 'sgr-0gitpod' });
  });

  it('with no rule of its own and --create, an IP another rule allows creates nothing', async () => {
    rules = [awsRule({ SecurityGroupRuleId: 'sgr-0mate', CidrIpv4: '203.0.113.7/32', Description: 'teammate laptop' })];
    await expect(run({ ip: '203.0.113.7', create: true }, { DB_SG_ID: 'sg-0db' })).resolves.toMatchObject({ action: 'already-allowed', ruleId: undefined, allowedBy: { ruleId: 'sgr-0mate' } });
    expect(writes()).toHaveLength(0);
  });

  it('lists the inbound rules when none or several match, and writes nothing', async () => {
    rules = [awsRule({ SecurityGroupRuleId: 'sgr-0a', Description: 'office', CidrIpv4: '192.0.2.0/24' }), egress];
    await expect(run({ ip: '203.0.113.7' }, { DB_SG_ID: 'sg-0db' })).rejects.toMatchObject({
      code: 'RDS_NO_RULE',
      message: 'No rule of sg-0db to update (no inbound rule with description "GITPOD" on port 5432); its inbound rules: sgr-0a tcp 5432 from 192.0.2.0/24 "office"',
      suggestion: expect.stringContaining('--create'),
    });
    rules = [awsRule({ SecurityGroupRuleId: 'sgr-0a' }), awsRule({ SecurityGroupRuleId: 'sgr-0b' })];
    const several = await run({ ip: '203.0.113.7' }, { DB_SG_ID: 'sg-0db' }).catch((e: unknown) => e);
    expect(several).toMatchObject({ code: 'RDS_SEVERAL_RULES', suggestion: expect.stringContaining('--rule-id') });
    expect((several as Error).message).toContain('sgr-0a tcp 5432 from 198.51.100.1/32 "GITPOD"; sgr-0b');
    expect(writes()).toHaveLength(0);
  });

  it('--create adds the missing rule with the description', async () => {
    rules = [egress];
    const result = await run({ ip: '2001:db8::7', create: true }, { DB_SG_ID: 'sg-0db' });
    expect(result).toMatchObject({ action: 'created', ruleId: 'sgr-0new', foundBy: 'new', before: null });
    expect(ec2.commandCalls(AuthorizeSecurityGroupIngressCommand).map((c) => c.args[0].input)).toEqual([
      { GroupId: 'sg-0db', IpPermissions: [{ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, Ipv6Ranges: [{ CidrIpv6: '2001:db8::7/128', Description: 'GITPOD' }] }] },
    ]);
  });

  it('--dry-run reports the change and makes no write call', async () => {
    rules = [awsRule({})];
    await expect(run({ ip: '203.0.113.7', dryRun: true })).resolves.toMatchObject({
      action: 'would-modify',
      before: { cidr: '198.51.100.1/32' },
      after: { cidr: '203.0.113.7/32', description: 'GITPOD' },
    });
    rules = [];
    await expect(run({ ip: '203.0.113.7', dryRun: true, create: true }, { DB_SG_ID: 'sg-0db' })).resolves.toMatchObject({ action: 'would-create' });
    expect(writes()).toHaveLength(0);
  });

  it('refuses a --cidr wider than one host before any AWS call', async () => {
    await expect(run({ cidr: '0.0.0.0/0' })).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining('more than one host') });
    await expect(run({ cidr: '2001:db8::/64' })).rejects.toMatchObject({ exitCode: 2 });
    expect(ec2.calls()).toHaveLength(0);
    rules = [awsRule({})];
    await expect(run({ cidr: '203.0.113.9' })).resolves.toMatchObject({ action: 'modified', cidr: '203.0.113.9/32', ip: undefined });
  });

  it('needs a group id', async () => {
    await expect(run({ ip: '203.0.113.7' }, {})).rejects.toMatchObject({ exitCode: 2, suggestion: expect.stringContaining('DB_SG_ID') });
    expect(ec2.calls()).toHaveLength(0);
  });

  it('explains an unknown group', async () => {
    ec2.on(DescribeSecurityGroupRulesCommand).rejects(Object.assign(new Error("The security group 'sg-0db' does not exist"), { name: 'InvalidGroup.NotFound' }));
    await expect(run({ ip: '203.0.113.7' })).rejects.toMatchObject({ code: 'RDS_NO_SUCH_GROUP', suggestion: expect.stringContaining('DB_SG_ID') });
  });
});
