import { BlockList } from 'node:net';
import { usageError } from '../core/errors.js';
import { parseIp, type IpFamily } from './ip.js';

/** An inbound or outbound rule of a security group, parsed from DescribeSecurityGroupRules. */
export interface SgRule {
  id: string;
  groupId: string;
  isEgress: boolean;
  protocol: string;
  fromPort: number | undefined;
  toPort: number | undefined;
  cidrIpv4: string | undefined;
  cidrIpv6: string | undefined;
  /** A source that is neither CIDR (a prefix list or another security group), for listings. */
  otherSource: string | undefined;
  description: string | undefined;
}

/** What the rule should be: one TCP port open to one host. */
export interface RuleTarget {
  cidr: string;
  family: IpFamily;
  port: number;
  description: string | undefined;
}

/** A single-host CIDR: `<ip>/32` for IPv4, `<ip>/128` for IPv6. */
export function hostCidr(address: string): { cidr: string; family: IpFamily } {
  const ip = parseIp(address);
  if (!ip) throw usageError(`${JSON.stringify(address)} is not an IPv4 or IPv6 address`, 'pass an address such as 203.0.113.7');
  return { cidr: `${ip.address}/${ip.family === 4 ? 32 : 128}`, family: ip.family };
}

/**
 * Validates a --cidr: a bare address or a single-host CIDR. Anything wider would open the database
 * port to more than this machine, so it is refused.
 */
export function singleHostCidr(value: string): { cidr: string; family: IpFamily } {
  const [address = '', prefix, ...rest] = value.trim().split('/');
  const ip = parseIp(address);
  if (!ip || rest.length > 0 || (prefix !== undefined && !/^\d{1,3}$/.test(prefix))) {
    throw usageError(`--cidr ${JSON.stringify(value)} is not a CIDR`, 'pass a single host such as 203.0.113.7/32 or 2001:db8::7/128');
  }
  const hostBits = ip.family === 4 ? 32 : 128;
  if (prefix !== undefined && Number(prefix) !== hostBits) {
    throw usageError(
      `--cidr ${value} opens port to more than one host (only /${hostBits} is allowed for IPv${ip.family})`,
      `pass ${ip.address}/${hostBits}, or leave --cidr out to use this machine's public IP`,
    );
  }
  return { cidr: `${ip.address}/${hostBits}`, family: ip.family };
}

/** Normalises a CIDR read from AWS so it compares equal to ours (IPv6 case and zero compression). */
export function normaliseCidr(cidr: string | undefined): string | undefined {
  if (!cidr) return undefined;
  const [address = '', prefix] = cidr.split('/');
  const ip = parseIp(address);
  return ip && prefix !== undefined ? `${ip.address}/${prefix}` : cidr;
}

export const isTcp = (protocol: string) => protocol === 'tcp' || protocol === '6';

export interface RuleQuery {
  ruleId: string | undefined;
  description: string;
  port: number;
}

export type RuleChoice =
  | { kind: 'found'; rule: SgRule; by: 'id' | 'description' }
  | { kind: 'none'; why: string }
  | { kind: 'several'; rules: SgRule[]; why: string };

/** The rule to update: by id when given, else the one inbound rule with the description on the port. */
export function chooseRule(rules: SgRule[], query: RuleQuery): RuleChoice {
  const inbound = rules.filter((r) => !r.isEgress);
  if (query.ruleId) {
    const rule = inbound.find((r) => r.id === query.ruleId);
    return rule ? { kind: 'found', rule, by: 'id' } : { kind: 'none', why: `no inbound rule with id ${query.ruleId}` };
  }
  const matches = inbound.filter((r) => r.description === query.description && r.fromPort === query.port && r.toPort === query.port);
  const what = `description ${JSON.stringify(query.description)} on port ${query.port}`;
  if (matches.length === 1 && matches[0]) return { kind: 'found', rule: matches[0], by: 'description' };
  if (matches.length === 0) return { kind: 'none', why: `no inbound rule with ${what}` };
  return { kind: 'several', rules: matches, why: `${matches.length} inbound rules have ${what}` };
}

export interface RuleView {
  protocol: string;
  fromPort: number | undefined;
  toPort: number | undefined;
  cidr: string | undefined;
  description: string | undefined;
}

export type RuleChange =
  | { action: 'none'; before: RuleView; after: RuleView }
  | { action: 'modify'; before: RuleView; after: RuleView }
  | { action: 'create'; before: undefined; after: RuleView };

export function viewOf(rule: SgRule): RuleView {
  return {
    protocol: rule.protocol,
    fromPort: rule.fromPort,
    toPort: rule.toPort,
    cidr: normaliseCidr(rule.cidrIpv4 ?? rule.cidrIpv6) ?? rule.otherSource,
    description: rule.description,
  };
}

/** The change that makes `current` (undefined: no rule yet) equal the target; 'none' when it already is. */
export function planChange(current: SgRule | undefined, target: RuleTarget): RuleChange {
  if (!current) return { action: 'create', before: undefined, after: { protocol: 'tcp', fromPort: target.port, toPort: target.port, cidr: target.cidr, description: target.description } };
  const before = viewOf(current);
  // The description is kept as it is on the rule; ModifySecurityGroupRules would otherwise erase it.
  const after: RuleView = { protocol: 'tcp', fromPort: target.port, toPort: target.port, cidr: target.cidr, description: current.description };
  const upToDate =
    isTcp(current.protocol) &&
    current.fromPort === target.port &&
    current.toPort === target.port &&
    current.otherSource === undefined &&
    (target.family === 4
      ? normaliseCidr(current.cidrIpv4) === target.cidr && current.cidrIpv6 === undefined
      : normaliseCidr(current.cidrIpv6) === target.cidr && current.cidrIpv4 === undefined);
  return { action: upToDate ? 'none' : 'modify', before, after };
}

/**
 * Whether an inbound rule already lets `target` in, as EC2 evaluates a permission (protocol, port range,
 * peer): protocol `-1` (all traffic) or tcp/6 with FromPort <= port <= ToPort, and a CIDR peer of the
 * same family that contains the address (`198.51.100.0/24` contains `198.51.100.7/32`, `::/0` every IPv6
 * host). Security-group and prefix-list peers are not evaluated (their members are unknown here).
 */
export function ruleAllows(rule: SgRule, target: RuleTarget): boolean {
  if (rule.isEgress) return false;
  const allTraffic = rule.protocol === '-1';
  if (!allTraffic) {
    if (!isTcp(rule.protocol) || rule.fromPort === undefined || rule.toPort === undefined) return false;
    if (rule.fromPort > target.port || rule.toPort < target.port) return false;
  }
  const peer = target.family === 4 ? rule.cidrIpv4 : rule.cidrIpv6;
  if (!peer) return false;
  const [network = '', prefix] = peer.split('/');
  const address = target.cidr.split('/')[0] ?? '';
  const type = target.family === 4 ? 'ipv4' : 'ipv6';
  const bits = Number(prefix ?? (target.family === 4 ? 32 : 128));
  try {
    const list = new BlockList();
    list.addSubnet(network, bits, type);
    return list.check(address, type);
  } catch {
    return false;
  }
}

/** The first inbound rule other than `except` that already allows `target` (see ruleAllows), if any. */
export function allowingRule(rules: SgRule[], target: RuleTarget, except: string | undefined): SgRule | undefined {
  return rules.find((r) => r.id !== except && ruleAllows(r, target));
}

/** One line per rule, for errors that list a group's inbound rules. */
export function describeRule(rule: SgRule): string {
  const ports = rule.fromPort === rule.toPort ? `${rule.fromPort ?? 'all'}` : `${rule.fromPort ?? '?'}-${rule.toPort ?? '?'}`;
  const source = normaliseCidr(rule.cidrIpv4 ?? rule.cidrIpv6) ?? rule.otherSource ?? '?';
  const what = rule.protocol === '-1' ? 'all traffic' : `${rule.protocol} ${ports}`;
  return `${rule.id} ${what} from ${source}${rule.description ? ` "${rule.description}"` : ''}`;
}

export function formatView(view: RuleView): string {
  const ports = view.fromPort === view.toPort ? `${view.fromPort ?? 'all'}` : `${view.fromPort ?? '?'}-${view.toPort ?? '?'}`;
  return `${view.protocol} ${ports} from ${view.cidr ?? '?'}${view.description ? ` "${view.description}"` : ''}`;
}
