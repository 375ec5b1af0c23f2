import { formatView } from '../../rds/rule.js';
import { fail, ok, skip, type Check, type CheckOutcome, type DoctorContext } from '../types.js';

/** The RDS rule allows this machine: update-sg in dry-run, so nothing is ever written. */
export async function securityGroupOutcome(ctx: Pick<DoctorContext, 'env' | 'aws' | 'logger' | 'timeoutMs'>): Promise<CheckOutcome> {
  const { configuredGroupId, updateSecurityGroup } = await import('../../rds/update-sg.js');
  if (!configuredGroupId(ctx.env)) return skip('DB_SG_ID is not set', 'set DB_SG_ID (and DB_SG_RULE_ID) to check RDS access from this machine');
  const { createSecurityGroups } = await import('../../rds/security-groups.js');
  const result = await updateSecurityGroup(
    { env: ctx.env, groups: createSecurityGroups(await ctx.aws.ec2()), logger: ctx.logger },
    { dryRun: true, ipTimeoutMs: Math.max(500, Math.floor(ctx.timeoutMs / 3)) },
  );
  const ip = result.ip ? `${result.ip.address} (${result.ip.source})` : result.cidr;
  if (result.action === 'unchanged') return ok(`${result.groupId} ${result.ruleId ?? ''} allows ${result.cidr} on ${result.port}`);
  if (result.action === 'already-allowed' && result.allowedBy) return ok(`${result.groupId} ${result.allowedBy.ruleId}${result.allowedBy.description ? ` "${result.allowedBy.description}"` : ''} allows ${result.cidr} on ${result.port}`);
  const before = result.before ? formatView(result.before) : 'no rule';
  return fail(`${result.groupId} ${result.ruleId ?? ''} allows ${before}, but this machine is ${ip}`, 'run `cruddur rds update-sg`');
}

export const securityGroupCheck: Check = { id: 'security-group', title: 'RDS security group rule', run: securityGroupOutcome };
