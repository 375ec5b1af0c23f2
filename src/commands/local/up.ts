import { Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { redactUrl } from '../../core/redact.js';
import { localUp, waitForExit, type LocalUpResult } from '../../local/stack.js';

export default class LocalUp extends BaseCommand {
  static override summary = 'Start the local stack: embedded PostgreSQL, a local S3 API, a local DynamoDB and the thumbnail worker.';
  static override description =
    'Everything on 127.0.0.1 with nothing but Node: PostgreSQL (data in .cruddur/postgres), an S3 API (s3rver, data in .cruddur/s3) with the uploads, assets and site buckets, a DynamoDB API (dynalite, data in .cruddur/dynamodb), and a worker that thumbnails uploads like the Lambda. Writes .cruddur/local.env, which every command reads when no real setting is present. Runs detached unless --foreground; a second `local up` reports the running stack.';

  static override examples = [
    { description: 'Start (or find) the stack in the background', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Run attached to the terminal; Ctrl-C stops it', command: '<%= config.bin %> <%= command.id %> --foreground' },
    { description: 'Then use it with no flags', command: '<%= config.bin %> db setup && <%= config.bin %> avatar upload --wait' },
  ];

  static override flags = {
    foreground: Flags.boolean({ description: 'Stay attached; stop with Ctrl-C.' }),
  };

  async run(): Promise<LocalUpResult> {
    const { flags } = await this.parse(LocalUp);
    const project = this.project(flags);
    const result = await localUp(project.root, project.env, { foreground: flags.foreground }, this.logger(flags));
    const s = result.state;
    this.log(result.status === 'already-running' ? `The local stack is already running (pid ${s.pid}).` : `Local stack started in ${(result.ms / 1000).toFixed(1)} s (pid ${s.pid}).`);
    this.log(`  PostgreSQL  ${redactUrl(result.env.CONNECTION_URL ?? '')}`);
    this.log(`  S3 API      ${result.env.AWS_ENDPOINT_URL_S3}  buckets: ${s.buckets.uploads}, ${s.buckets.assets}, ${s.buckets.site}`);
    if (result.env.AWS_ENDPOINT_URL_DYNAMODB) this.log(`  DynamoDB    ${result.env.AWS_ENDPOINT_URL_DYNAMODB}`);
    this.log('  thumbnails  uploads -> assets/avatars/<name>.jpg');
    this.log('  settings    .cruddur/local.env (used when no real setting is present)');
    if (flags.foreground && result.status === 'started') {
      this.log('Press Ctrl-C to stop.');
      await waitForExit(s);
    }
    return result;
  }
}
