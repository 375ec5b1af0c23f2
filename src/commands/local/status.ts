import { BaseCommand } from '../../base-command.js';
import { localStatus, type LocalStatus } from '../../local/stack.js';

export default class LocalStatusCommand extends BaseCommand {
  static override summary = 'Show whether the local stack runs, and where.';
  static override examples = [
    { description: 'Human summary', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'For scripts', command: '<%= config.bin %> <%= command.id %> --json' },
  ];

  async run(): Promise<LocalStatus> {
    const { flags } = await this.parse(LocalStatusCommand);
    const status = await localStatus(this.project(flags).root);
    if (!status.pid) {
      this.log('The local stack is not running. Start it with `cruddur local up`.');
    } else {
      this.log(`${status.running ? 'running' : status.stale ? 'stale (process gone; `cruddur local up` recovers)' : 'degraded'} (pid ${status.pid}, since ${status.startedAt})`);
      this.log(`  PostgreSQL  ${status.host ?? '127.0.0.1'}:${status.postgres?.port} ${status.postgres?.reachable ? 'reachable' : 'NOT reachable'}`);
      this.log(`  S3 API      ${status.s3?.endpoint} ${status.s3?.reachable ? 'reachable' : 'NOT reachable'}`);
      if (status.dynamodb) this.log(`  DynamoDB    ${status.dynamodb.endpoint} ${status.dynamodb.reachable ? 'reachable' : 'NOT reachable'}`);
      this.log(`  buckets     ${Object.values(status.buckets ?? {}).join(', ')}`);
    }
    return status;
  }
}
