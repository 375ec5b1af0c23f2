import { Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { CruddurError } from '../core/errors.js';
import type { AwsSettingDescription } from '../aws/clients.js';
import type { DoctorReport } from '../doctor/index.js';

export default class Doctor extends BaseCommand {
  static override summary = 'Check the machine, the project and its services, with a fix for each problem.';
  static override description = `Runs every check in parallel, each with a time limit: Node.js version, cruddur's and the frontend's
dependencies, psql and docker, each env template's unset variables, the AWS identity (STS) and each AWS setting with its source, CONNECTION_URL,
the UPLOADS/ASSETS/SYNC buckets, the CloudFront distribution and the RDS security-group rule (read only).
A check with nothing configured is skipped and names the variable to set. Then each setting the checks used,
with where it came from (flag, env, sync.env, .env.local, .env, cruddur.json, local stack, default), resolved
exactly as the commands resolve it. Exits 1 when any check fails.`;

  static override examples = [
    { description: 'Check everything', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Machine-readable report (exit 1 when a check fails)', command: '<%= config.bin %> <%= command.id %> --json' },
    { description: 'Slow network: give each check 20 seconds', command: '<%= config.bin %> <%= command.id %> --timeout 20000' },
  ];

  static override flags = {
    timeout: Flags.integer({ description: 'Milliseconds each check may take.', default: 8000, min: 100 }),
    // For bench/doctor.js: 1 runs the checks one after another, the baseline for the parallel default.
    concurrency: Flags.integer({ description: 'How many checks run at once (default: all).', min: 1, hidden: true }),
  };

  async run(): Promise<DoctorReport & { aws: AwsSettingDescription[] }> {
    const { flags } = await this.parse(Doctor);
    const project = this.project(flags);
    const { doctorChecks, resolveDoctorSettings, runChecks } = await import('../doctor/index.js');
    const { formatReport } = await import('../doctor/format.js');
    const aws = this.aws(flags);
    const { describeAwsSettings } = await import('../aws/clients.js');
    const awsSettings = describeAwsSettings(await aws.resolved());
    const report = await runChecks(doctorChecks(project), {
      project,
      settings: resolveDoctorSettings(project),
      env: project.env,
      aws,
      logger: this.logger(flags),
      timeoutMs: flags.timeout,
    }, { concurrency: flags.concurrency });
    if (!this.jsonEnabled()) {
      this.log(formatReport(report));
      // Each AWS setting with where it came from: `region ca-central-1 (profile dev in ~/.aws/config)`.
      this.log(['', 'AWS settings:', ...awsSettings.map((row) => `  ${row.name} ${row.value} (${row.source})`)].join('\n'));
    }
    if (!report.ok) {
      const failed = report.checks.filter((c) => c.status === 'fail').map((c) => c.title);
      // --json keeps the report as the one document on stdout; the exit code still says it failed.
      if (this.jsonEnabled()) process.exitCode = 1;
      else throw new CruddurError(`${failed.length} check${failed.length > 1 ? 's' : ''} failed: ${failed.join(', ')}`, { suggestion: 'apply the fixes in the table above, then run `cruddur doctor` again', code: 'DOCTOR_FAILED' });
    }
    return { ...report, aws: awsSettings };
  }
}
