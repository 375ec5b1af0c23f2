import { Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { BOOTSTRAP_STEPS, bootstrap, type BootstrapResult, type BootstrapStep } from '../bootstrap/bootstrap.js';
import { CruddurError } from '../core/errors.js';
import { renderTable } from '../core/table.js';

export default class Bootstrap extends BaseCommand {
  static override summary = 'Get a workspace ready: ECR login, env files and (with --db or --prepare) the data.';
  static override description =
    'What a Gitpod or devcontainer start-up runs. Each step runs or says why it was skipped (no Docker, no AWS credentials, --skip); a failing step does not stop the others, and the command exits 1 if any failed. Safe to re-run.';

  static override examples = [
    { description: 'Everything (Gitpod `init`/`command`)', command: '<%= config.bin %> <%= command.id %> --db' },
    { description: 'Only env files', command: '<%= config.bin %> <%= command.id %> --skip ecr' },
    { description: 'Everything, then the bootcamp\'s bin/prepare', command: '<%= config.bin %> <%= command.id %> --prepare' },
    { description: 'Machine-readable summary', command: '<%= config.bin %> <%= command.id %> --json' },
  ];

  static override flags = {
    skip: Flags.string({ description: 'Skip a step (repeatable).', options: [...BOOTSTRAP_STEPS], multiple: true, default: [] }),
    db: Flags.boolean({ description: 'Also set up the database (db setup; the local embedded one when CONNECTION_URL is unset).' }),
    prepare: Flags.boolean({ description: 'Also run `cruddur prepare` (db setup, Cognito ids, DynamoDB table and seed).', exclusive: ['db'] }),
  };

  async run(): Promise<BootstrapResult> {
    const { flags } = await this.parse(Bootstrap);
    const result = await bootstrap({
      project: this.project(flags),
      aws: this.aws(flags),
      logger: this.logger(flags),
      options: { skip: flags.skip as BootstrapStep[], db: flags.db, prepare: flags.prepare, silent: this.jsonEnabled() },
    });
    this.log('');
    this.log(renderTable(['step', 'status', 'detail'], result.tasks.map((t) => [t.id, t.status, t.detail ?? ''])));
    if (!result.ok) {
      const failed = result.tasks.filter((t) => t.status === 'failed');
      throw new CruddurError(`bootstrap failed at: ${failed.map((t) => t.id).join(', ')}`, {
        suggestion: `fix the error above and re-run (it is safe), or skip the step with --skip ${failed[0]?.id ?? ''}`,
        code: 'BOOTSTRAP_FAILED',
        details: result,
      });
    }
    return result;
  }
}
