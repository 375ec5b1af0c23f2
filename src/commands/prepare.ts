import { Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { CruddurError } from '../core/errors.js';
import { renderTable } from '../core/table.js';
import { PREPARE_STEPS, type PrepareResult } from '../prepare/prepare.js';

export default class Prepare extends BaseCommand {
  static override summary = 'Bring the development data up: database, Cognito ids, DynamoDB table and seed.';
  static override description = `The bootcamp's bin/prepare as one listed run: db setup (drop, create, schema, seed, migrate), db
update-cognito-user-ids (skipped, saying why, when AWS_COGNITO_USER_POOL_ID is not set), ddb schema-load and
ddb seed (skipped when there is no seed file). Uses CONNECTION_URL or the local PostgreSQL, and the local stack's
DynamoDB (started on demand); never production. A failing step does not stop the others; exit 1 if any failed.`;

  static override examples = [
    { description: 'After `cruddur local up` (or on its own: it starts what it needs)', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Without the Cognito step', command: '<%= config.bin %> <%= command.id %> --skip cognito' },
    { description: 'For scripts', command: '<%= config.bin %> <%= command.id %> --json' },
  ];

  static override flags = {
    skip: Flags.string({ description: 'Skip a step (repeatable).', options: [...PREPARE_STEPS], multiple: true, default: [] }),
  };

  async run(): Promise<PrepareResult> {
    const { flags } = await this.parse(Prepare);
    const { prepare } = await import('../prepare/prepare.js');
    const result = await prepare({
      project: this.project(flags),
      aws: this.aws(flags),
      logger: this.logger(flags),
      options: { skip: flags.skip, silent: this.jsonEnabled(), region: flags.region, profile: flags.profile },
    });
    this.log('');
    this.log(renderTable(['step', 'status', 'detail'], result.tasks.map((t) => [t.id, t.status, t.detail ?? ''])));
    if (!result.ok) {
      const failed = result.tasks.filter((t) => t.status === 'failed');
      throw new CruddurError(`prepare failed at: ${failed.map((t) => t.id).join(', ')}`, {
        suggestion: `fix the error above and re-run (it is safe), or skip the step with --skip ${failed[0]?.id ?? ''}`,
        code: 'PREPARE_FAILED',
        details: result,
      });
    }
    return result;
  }
}
