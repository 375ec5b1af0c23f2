import type { AwsClients } from '../aws/clients.js';
import type { ProjectConfig } from '../core/config.js';
import type { Logger } from '../core/output.js';
import { formatView } from './rule.js';
import { configuredGroupId, type UpdateSgOptions, type UpdateSgResult } from './update-sg.js';

export type RdsStepOutcome =
  | { status: 'skipped'; reason: string }
  | { status: 'done'; summary: string; result: UpdateSgResult };

/** Why bootstrap skips `rds update-sg`, or undefined when it should run. */
export function rdsUpdateSgSkipReason(env: Readonly<Record<string, string | undefined>>): string | undefined {
  return configuredGroupId(env) ? undefined : 'DB_SG_ID is not set (set it to the RDS security group to open port 5432 to this machine)';
}

/**
 * The bootstrap step: runs update-sg when DB_SG_ID is set, else reports why it was skipped.
 * Errors (no IP, no rule, AWS) are thrown as CruddurErrors for the task list to show.
 */
export async function runRdsUpdateSg(project: ProjectConfig, aws: AwsClients, logger: Logger, options: UpdateSgOptions = {}): Promise<RdsStepOutcome> {
  const reason = options.groupId ? undefined : rdsUpdateSgSkipReason(project.env);
  if (reason) return { status: 'skipped', reason };
  const { updateSecurityGroup } = await import('./update-sg.js');
  const { createSecurityGroups } = await import('./security-groups.js');
  const result = await updateSecurityGroup({ env: project.env, groups: createSecurityGroups(await aws.ec2()), logger }, options);
  const rule = `${result.groupId} ${result.ruleId ?? 'new rule'}`;
  const summary =
    result.action === 'unchanged'
      ? `${rule} already allows ${result.cidr}`
      : result.action === 'already-allowed'
        ? `${result.groupId} ${result.allowedBy?.ruleId ?? 'another rule'} already allows ${result.cidr}`
        : `${rule} ${result.action.replace('would-', 'would ')}: ${formatView(result.after)}`;
  return { status: 'done', summary, result };
}
