import type { FakeAws, RecordedRequest } from '../support/aws-fake.js';

export interface FakeRule {
  id: string;
  cidrIpv4?: string;
  cidrIpv6?: string;
  port: number;
  description?: string;
}

/** EC2's query-protocol XML for DescribeSecurityGroupRules. */
export function rulesXml(groupId: string, rules: FakeRule[]): string {
  const items = rules
    .map(
      (r) => `<item><securityGroupRuleId>${r.id}</securityGroupRuleId><groupId>${groupId}</groupId><groupOwnerId>123456789012</groupOwnerId>
<isEgress>false</isEgress><ipProtocol>tcp</ipProtocol><fromPort>${r.port}</fromPort><toPort>${r.port}</toPort>
${r.cidrIpv4 ? `<cidrIpv4>${r.cidrIpv4}</cidrIpv4>` : ''}${r.cidrIpv6 ? `<cidrIpv6>${r.cidrIpv6}</cidrIpv6>` : ''}
${r.description ? `<description>${r.description}</description>` : ''}</item>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><DescribeSecurityGroupRulesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r-1</requestId><securityGroupRuleSet>${items}</securityGroupRuleSet></DescribeSecurityGroupRulesResponse>`;
}

/** A stateful EC2 stand-in: ModifySecurityGroupRules changes what the next Describe returns. */
export function fakeEc2(fake: FakeAws, groupId: string, state: { rules: FakeRule[] }): void {
  const xml = { 'content-type': 'text/xml' };
  fake.onOperation('DescribeSecurityGroupRules', () => ({ headers: xml, body: rulesXml(groupId, state.rules) }));
  fake.onOperation('ModifySecurityGroupRules', (r: RecordedRequest) => {
    const id = r.form['SecurityGroupRule.1.SecurityGroupRuleId'];
    state.rules = state.rules.map((rule) =>
      rule.id === id
        ? { id, port: Number(r.form['SecurityGroupRule.1.SecurityGroupRule.FromPort']), cidrIpv4: r.form['SecurityGroupRule.1.SecurityGroupRule.CidrIpv4'], cidrIpv6: r.form['SecurityGroupRule.1.SecurityGroupRule.CidrIpv6'], description: r.form['SecurityGroupRule.1.SecurityGroupRule.Description'] }
        : rule,
    );
    return { headers: xml, body: '<ModifySecurityGroupRulesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r-2</requestId><return>true</return></ModifySecurityGroupRulesResponse>' };
  });
}
