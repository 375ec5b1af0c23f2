import type { ProjectConfig } from '../core/config.js';
import { awsIdentityCheck, cloudfrontCheck } from './checks/aws.js';
import { bucketChecks } from './checks/buckets.js';
import { databaseCheck } from './checks/database.js';
import { cruddurDepsCheck, frontendDepsCheck } from './checks/deps.js';
import { dynamodbCheck } from './checks/dynamodb.js';
import { nodeCheck } from './checks/node.js';
import { PROGRAMS, programCheck } from './checks/programs.js';
import { securityGroupCheck } from './checks/security-group.js';
import { templateChecks } from './checks/templates.js';
import type { Check } from './types.js';

export { runChecks, type DoctorReport } from './run.js';
export { resolveDoctorSettings, settingsReport, type SettingReport } from './settings.js';
export type { Check, CheckResult, CheckStatus } from './types.js';

/** Every check, in the order of the table: machine, project, then services. */
export function doctorChecks(project: ProjectConfig, pathEnv: Readonly<Record<string, string | undefined>> = process.env): Check[] {
  return [
    nodeCheck(),
    cruddurDepsCheck(),
    frontendDepsCheck(),
    ...PROGRAMS.map((spec) => programCheck(spec, pathEnv)),
    ...templateChecks(project),
    awsIdentityCheck,
    databaseCheck,
    dynamodbCheck,
    ...bucketChecks(),
    cloudfrontCheck,
    securityGroupCheck,
  ];
}
