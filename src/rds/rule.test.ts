import { describe, expect, it } from 'vitest';
import { chooseRule, describeRule, hostCidr, planChange, singleHostCidr, type SgRule } from './rule.js';

const rule = (over: Partial<SgRule>): SgRule => ({
  id: 'sgr-1',
  groupId: 'sg-1',
  isEgress: false,
  protocol: 'tcp',
  fromPort: 5432,
  toPort: 5432,
  cidrIpv4: '198.51.100.1/32',
  cidrIpv6: undefined,
  otherSource: undefined,
  description: 'GITPOD',
  ...over,
});

describe('hostCidr', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7/32', 4],
    ['2001:DB8::7', '2001:db8::7/128', 6],
  ])('%s -> %s', (ip, cidr, family) => {
    expect(hostCidr(ip)).toEqual({ cidr, family });
  });
});

describe('singleHostCidr', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7/32'],
    ['203.0.113.7/32', '203.0.113.7/32'],
    ['2001:db8::7/128', '2001:db8::7/128'],
  ])('accepts %s', (value, cidr) => {
    expect(singleHostCidr(value).cidr).toBe(cidr);
  });
  it.each([
    ['0.0.0.0/0', 'more than one host'],
    ['203.0.113.0/24', 'more than one host'],
    ['203.0.113.7/31', 'more than one host'],
    ['::/0', 'more than one host'],
    ['2001:db8::/64', 'more than one host'],
    ['203.0.113.7/33', 'more than one host'],
    ['example.com/32', 'is not a CIDR'],
    ['1.2.3.4/x', 'is not a CIDR'],
  ])('refuses %s (%s)', (value, message) => {
    expect(() => singleHostCidr(value)).toThrow(message);
    try {
      singleHostCidr(value);
    } catch (error) {
      expect(error).toMatchObject({ exitCode: 2 });
    }
  });
});

describe('chooseRule', () => {
  const rules = [
    rule({ id: 'sgr-a', description: 'GITPOD' }),
    rule({ id: 'sgr-b', description: 'office', cidrIpv4: '192.0.2.0/24' }),
    rule({ id: 'sgr-c', description: 'GITPOD', fromPort: 22, toPort: 22 }),
    rule({ id: 'sgr-out', description: 'GITPOD', isEgress: true }),
  ];
  it.each([
    ['by id', { ruleId: 'sgr-b', description: 'GITPOD', port: 5432 }, { kind: 'found', by: 'id', id: 'sgr-b' }],
    ['by description and port', { ruleId: undefined, description: 'GITPOD', port: 5432 }, { kind: 'found', by: 'description', id: 'sgr-a' }],
    ['by description on another port', { ruleId: undefined, description: 'GITPOD', port: 22 }, { kind: 'found', by: 'description', id: 'sgr-c' }],
    ['unknown id', { ruleId: 'sgr-zzz', description: 'GITPOD', port: 5432 }, { kind: 'none' }],
    ['egress rules never match', { ruleId: 'sgr-out', description: 'GITPOD', port: 5432 }, { kind: 'none' }],
    ['unknown description', { ruleId: undefined, description: 'CODESPACES', port: 5432 }, { kind: 'none' }],
  ])('%s', (_name, query, expected: { kind: string; by?: string; id?: string }) => {
    const choice = chooseRule(rules, query);
    expect(choice.kind).toBe(expected.kind);
    if (choice.kind === 'found') expect({ kind: choice.kind, by: choice.by, id: choice.rule.id }).toEqual(expected);
  });

  it('reports several matches', () => {
    const choice = chooseRule([rule({ id: 'sgr-a' }), rule({ id: 'sgr-b' })], { ruleId: undefined, description: 'GITPOD', port: 5432 });
    expect(choice).toMatchObject({ kind: 'several', why: '2 inbound rules have description "GITPOD" on port 5432' });
  });
});

describe('planChange', () => {
  const v4 = { cidr: '203.0.113.7/32', family: 4 as const, port: 5432, description: 'GITPOD' };
  const v6 = { cidr: '2001:db8::7/128', family: 6 as const, port: 5432, description: 'GITPOD' };
  it.each([
    ['same IPv4', rule({ cidrIpv4: '203.0.113.7/32' }), v4, 'none'],
    ['protocol number 6 is tcp', rule({ protocol: '6', cidrIpv4: '203.0.113.7/32' }), v4, 'none'],
    ['same IPv6 written differently', rule({ cidrIpv4: undefined, cidrIpv6: '2001:DB8:0::7/128' }), v6, 'none'],
    ['other IPv4', rule({}), v4, 'modify'],
    ['IPv4 rule, IPv6 address', rule({ cidrIpv4: '203.0.113.7/32' }), v6, 'modify'],
    ['other port', rule({ cidrIpv4: '203.0.113.7/32', fromPort: 5433, toPort: 5433 }), v4, 'modify'],
    ['port range', rule({ cidrIpv4: '203.0.113.7/32', fromPort: 5000, toPort: 6000 }), v4, 'modify'],
    ['udp', rule({ cidrIpv4: '203.0.113.7/32', protocol: 'udp' }), v4, 'modify'],
    ['wider CIDR', rule({ cidrIpv4: '203.0.113.0/24' }), v4, 'modify'],
    ['no rule yet', undefined, v4, 'create'],
  ])('%s -> %s', (_name, current, target, action) => {
    expect(planChange(current, target).action).toBe(action);
  });

  it('keeps the rule\'s own description', () => {
    const change = planChange(rule({ description: 'Gitpod dev box' }), v4);
    expect(change.after).toEqual({ protocol: 'tcp', fromPort: 5432, toPort: 5432, cidr: '203.0.113.7/32', description: 'Gitpod dev box' });
    expect(change.before).toMatchObject({ cidr: '198.51.100.1/32' });
  });

  it('describes a rule on one line', () => {
    expect(describeRule(rule({}))).toBe('sgr-1 tcp 5432 from 198.51.100.1/32 "GITPOD"');
    expect(describeRule(rule({ protocol: '-1', fromPort: -1, toPort: -1, cidrIpv4: undefined, otherSource: 'sg-other', description: undefined }))).toBe('sgr-1 all traffic from sg-other');
  });
});
