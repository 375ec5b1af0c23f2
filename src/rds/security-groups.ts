import type { EC2Client, SecurityGroupRule } from '@aws-sdk/client-ec2';
import { fromAwsError } from '../aws/errors.js';
import { loadSdk } from '../aws/sdk.js';
import { CruddurError } from '../core/errors.js';
import type { RuleTarget, SgRule } from './rule.js';

/** The narrow EC2 surface update-sg needs; tests use aws-sdk-client-mock or a local fake endpoint. */
export interface SecurityGroups {
  /** Every rule of the group (all pages), inbound and outbound. */
  listRules(groupId: string): Promise<SgRule[]>;
  modifyRule(groupId: string, ruleId: string, target: RuleTarget): Promise<void>;
  /** Adds an inbound rule and returns its id. */
  addInboundRule(groupId: string, target: RuleTarget): Promise<string | undefined>;
}

export function parseRule(r: SecurityGroupRule): SgRule {
  const other = r.ReferencedGroupInfo?.GroupId ?? r.PrefixListId;
  return {
    id: r.SecurityGroupRuleId ?? '?',
    groupId: r.GroupId ?? '?',
    isEgress: r.IsEgress ?? false,
    protocol: r.IpProtocol ?? '-1',
    fromPort: r.FromPort,
    toPort: r.ToPort,
    cidrIpv4: r.CidrIpv4 || undefined,
    cidrIpv6: r.CidrIpv6 || undefined,
    otherSource: other || undefined,
    description: r.Description || undefined,
  };
}

function groupError(error: unknown, groupId: string, what: string): CruddurError {
  const name = (error as { name?: string; Code?: string }).name ?? '';
  if (/InvalidGroup/.test(name)) {
    return new CruddurError(`Security group ${groupId} does not exist in this account and region`, {
      suggestion: 'check DB_SG_ID (or --group-id) and --region: `aws ec2 describe-security-groups --group-ids <id>`',
      code: 'RDS_NO_SUCH_GROUP',
      cause: error,
    });
  }
  return fromAwsError(error, what);
}

export function createSecurityGroups(client: EC2Client): SecurityGroups {
  const sdk = loadSdk<typeof import('@aws-sdk/client-ec2')>('@aws-sdk/client-ec2');
  return {
    async listRules(groupId) {
      const { DescribeSecurityGroupRulesCommand } = await sdk;
      const rules: SgRule[] = [];
      let token: string | undefined;
      do {
        let page;
        try {
          page = await client.send(
            new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }], ...(token ? { NextToken: token } : {}) }),
          );
        } catch (error) {
          throw groupError(error, groupId, `list the rules of security group ${groupId}`);
        }
        rules.push(...(page.SecurityGroupRules ?? []).map(parseRule));
        token = page.NextToken || undefined;
      } while (token);
      return rules;
    },

    async modifyRule(groupId, ruleId, target) {
      const { ModifySecurityGroupRulesCommand } = await sdk;
      try {
        await client.send(
          new ModifySecurityGroupRulesCommand({
            GroupId: groupId,
            SecurityGroupRules: [
              {
                SecurityGroupRuleId: ruleId,
                SecurityGroupRule: {
                  IpProtocol: 'tcp',
                  FromPort: target.port,
                  ToPort: target.port,
                  ...(target.family === 4 ? { CidrIpv4: target.cidr } : { CidrIpv6: target.cidr }),
                  ...(target.description === undefined ? {} : { Description: target.description }),
                },
              },
            ],
          }),
        );
      } catch (error) {
        throw groupError(error, groupId, `update rule ${ruleId} of security group ${groupId}`);
      }
    },

    async addInboundRule(groupId, target) {
      const { AuthorizeSecurityGroupIngressCommand } = await sdk;
      const range = target.description === undefined ? {} : { Description: target.description };
      try {
        const answer = await client.send(
          new AuthorizeSecurityGroupIngressCommand({
            GroupId: groupId,
            IpPermissions: [
              {
                IpProtocol: 'tcp',
                FromPort: target.port,
                ToPort: target.port,
                ...(target.family === 4 ? { IpRanges: [{ CidrIp: target.cidr, ...range }] } : { Ipv6Ranges: [{ CidrIpv6: target.cidr, ...range }] }),
              },
            ],
          }),
        );
        return answer.SecurityGroupRules?.[0]?.SecurityGroupRuleId;
      } catch (error) {
        throw groupError(error, groupId, `add an inbound rule to security group ${groupId}`);
      }
    },
  };
}
