import { CruddurError, usageError } from '../core/errors.js';
import type { Logger } from '../core/output.js';
import { detectPublicIp, type PublicIp } from './ip.js';
import {
  allowingRule,
  chooseRule,
  describeRule,
  hostCidr,
  planChange,
  singleHostCidr,
  type RuleTarget,
  type RuleView,
  viewOf,
  type SgRule,
} from './rule.js';
import type { SecurityGroups } from './security-groups.js';

export const DEFAULT_DESCRIPTION = 'GITPOD';
export const DEFAULT_DB_PORT = 5432;

export interface UpdateSgOptions {
  /** --group-id, else DB_SG_ID. */
  groupId?: string;
  /** --rule-id, else DB_SG_RULE_ID. */
  ruleId?: string;
  description?: string;
  port?: number;
  ip?: string;
  cidr?: string;
  ipServices?: string[];
  ipTimeoutMs?: number;
  create?: boolean;
  dryRun?: boolean;
}

/** `already-allowed`: another inbound rule of the group lets this host in already, so nothing is written (dry run or not). */
export type UpdateSgAction = 'unchanged' | 'already-allowed' | 'modified' | 'created' | 'would-modify' | 'would-create';

export interface UpdateSgResult {
  groupId: string;
  ruleId: string | undefined;
  /** How the rule was found. */
  foundBy: 'id' | 'description' | 'new';
  /** The detected address; absent when --cidr was given. */
  ip: PublicIp | undefined;
  cidr: string;
  port: number;
  action: UpdateSgAction;
  dryRun: boolean;
  before: RuleView | null;
  after: RuleView;
  /** For `already-allowed`: the rule that allows the host (id, description and what it allows). */
  allowedBy?: { ruleId: string; description: string | undefined; rule: RuleView };
}

export interface UpdateSgDeps {
  env: Readonly<Record<string, string | undefined>>;
  groups: SecurityGroups;
  logger: Logger;
  fetch?: typeof globalThis.fetch;
}

/** The group id from --group-id or DB_SG_ID; undefined when neither is set. */
export function configuredGroupId(env: Readonly<Record<string, string | undefined>>, flag?: string): string | undefined {
  return flag?.trim() || env.DB_SG_ID?.trim() || undefined;
}

async function resolveTarget(deps: UpdateSgDeps, options: UpdateSgOptions, port: number, description: string): Promise<{ target: RuleTarget; ip: PublicIp | undefined }> {
  const ip = await detectPublicIp({ ip: options.ip, env: deps.env, services: options.ipServices, timeoutMs: options.ipTimeoutMs, logger: deps.logger, fetch: deps.fetch });
  return { target: { ...hostCidr(ip.address), port, description }, ip };
}

function listing(rules: SgRule[]): string {
  const inbound = rules.filter((r) => !r.isEgress);
  return inbound.length > 0 ? inbound.map(describeRule).join('; ') : '(none)';
}

/**
 * Points the database's "GITPOD" inbound rule at this machine's public IP (the bootcamp's
 * rds-update-sg-rule). Idempotent: nothing is written when the rule already allows exactly this host.
 */
export async function updateSecurityGroup(deps: UpdateSgDeps, options: UpdateSgOptions): Promise<UpdateSgResult> {
  const groupId = configuredGroupId(deps.env, options.groupId);
  if (!groupId) {
    throw usageError('No security group given', 'set DB_SG_ID (the RDS instance\'s security group, sg-...) or pass --group-id');
  }
  const port = options.port ?? DEFAULT_DB_PORT;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw usageError(`--port ${port} is not a TCP port`, 'pass a port from 1 to 65535');
  const description = options.description ?? DEFAULT_DESCRIPTION;
  const flagRuleId = options.ruleId?.trim() || undefined;
  const envRuleId = flagRuleId ? undefined : deps.env.DB_SG_RULE_ID?.trim() || undefined;

  if (options.cidr !== undefined && options.ip !== undefined) throw usageError('--cidr and --ip cannot be used together', 'pass one of them');
  // A --cidr is checked before any AWS call: a wide one is refused outright.
  const given = options.cidr === undefined ? undefined : { target: { ...singleHostCidr(options.cidr), port, description }, ip: undefined };
  const [{ target, ip }, rules] = await Promise.all([given ?? resolveTarget(deps, options, port, description), deps.groups.listRules(groupId)]);

  // An explicit id (flag or DB_SG_RULE_ID) that does not resolve is an error: the description lookup is
  // only for when no id is given, so a stale id never moves another rule.
  const explicitId = flagRuleId ?? envRuleId;
  const choice = chooseRule(rules, { ruleId: explicitId, description, port });
  if (choice.kind === 'none' && explicitId) {
    const from = flagRuleId ? '--rule-id' : 'DB_SG_RULE_ID';
    throw new CruddurError(`${from} ${explicitId} is not an inbound rule of ${groupId}; its inbound rules: ${listing(rules)}`, {
      suggestion: `set ${from === '--rule-id' ? '--rule-id' : 'DB_SG_RULE_ID'} to one of the ids listed, or remove it to find the rule by --description "${description}" on port ${port}`,
      code: 'RDS_NO_SUCH_RULE',
      details: { groupId, ruleId: explicitId, rules: rules.filter((r) => !r.isEgress) },
    });
  }
  if (choice.kind === 'several') {
    throw new CruddurError(`Several rules of ${groupId} match (${choice.why}): ${choice.rules.map(describeRule).join('; ')}`, {
      suggestion: 'pass --rule-id (or set DB_SG_RULE_ID) to pick one, or give the rules distinct descriptions',
      code: 'RDS_SEVERAL_RULES',
      details: { groupId, rules: choice.rules },
    });
  }
  const current = choice.kind === 'found' ? choice.rule : undefined;
  const change = planChange(current, target);
  // Planned against every rule of the group: when another rule already lets this host in, EC2 would
  // refuse a duplicate (InvalidPermission.Duplicate) and the access exists anyway, so nothing is written.
  const allowing = change.action === 'none' ? undefined : allowingRule(rules, target, current?.id);
  if (allowing) {
    return {
      groupId,
      ruleId: current?.id,
      foundBy: choice.kind === 'found' ? choice.by : 'new',
      ip,
      cidr: target.cidr,
      port,
      action: 'already-allowed',
      dryRun: Boolean(options.dryRun),
      before: change.before ?? null,
      after: change.before ?? change.after,
      allowedBy: { ruleId: allowing.id, description: allowing.description, rule: viewOf(allowing) },
    };
  }
  if (choice.kind === 'none' && !options.create) {
    throw new CruddurError(`No rule of ${groupId} to update (${choice.why}); its inbound rules: ${listing(rules)}`, {
      suggestion: flagRuleId
        ? 'pass the id of one of the rules listed, or leave --rule-id out to find the rule by --description'
        : `pass --rule-id or --description for one of the rules listed, or --create to add a "${description}" rule for port ${port}`,
      code: 'RDS_NO_RULE',
      details: { groupId, rules: rules.filter((r) => !r.isEgress) },
    });
  }

  const base = {
    groupId,
    ruleId: current?.id,
    foundBy: choice.kind === 'found' ? choice.by : ('new' as const),
    ip,
    cidr: target.cidr,
    port,
    dryRun: Boolean(options.dryRun),
    before: change.before ?? null,
    after: change.after,
  };
  if (change.action === 'none') return { ...base, action: 'unchanged' };
  if (options.dryRun) return { ...base, action: change.action === 'create' ? 'would-create' : 'would-modify' };
  if (change.action === 'create') {
    const ruleId = await deps.groups.addInboundRule(groupId, target);
    return { ...base, ruleId, action: 'created' };
  }
  await deps.groups.modifyRule(groupId, base.ruleId ?? '', { ...target, description: change.after.description });
  return { ...base, action: 'modified' };
}
