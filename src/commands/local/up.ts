import { isIP } from 'node:net';
import { Flags } from '@oclif/core';
import { usageError } from '../../core/errors.js';
import { BaseCommand } from '../../base-command.js';
import { redactor, redactUrl } from '../../core/redact.js';
import { localUp, waitForExit, type LocalUpResult } from '../../local/stack.js';

export default class LocalUp extends BaseCommand {
  static override summary = 'Start the local stack: embedded PostgreSQL, a local S3 API, a local DynamoDB and the thumbnail worker.';
  static override description =
    'Everything on 127.0.0.1 (or the --listen address, for containers) with nothing but Node: PostgreSQL (data in .cruddur/postgres), an S3 API (s3rver, data in .cruddur/s3) with the uploads, assets and site buckets, a DynamoDB API (dynalite, data in .cruddur/dynamodb), and a worker that thumbnails uploads like the Lambda. Writes .cruddur/local.env, which every command reads when no real setting is present. Runs detached unless --foreground; a second `local up` reports the running stack.';

  static override examples = [
    { description: 'Start (or find) the stack in the background', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Run attached to the terminal; Ctrl-C stops it', command: '<%= config.bin %> <%= command.id %> --foreground' },
    { description: 'Reachable from docker compose containers (host.docker.internal; see docs/ddb.md)', command: '<%= config.bin %> <%= command.id %> --listen 0.0.0.0 --port 15432' },
    { description: 'Then use it with no flags', command: '<%= config.bin %> db setup && <%= config.bin %> avatar upload --wait' },
  ];

  static override flags = {
    foreground: Flags.boolean({ description: 'Stay attached; stop with Ctrl-C.' }),
    listen: Flags.string({ description: 'Bind PostgreSQL, S3 and DynamoDB to this IP address (kept for later runs; default 127.0.0.1). Off 127.0.0.1 PostgreSQL gets a generated password, kept in .cruddur/.' }),
    port: Flags.integer({ description: 'PostgreSQL port; S3 uses the next one and DynamoDB the one after (default: ports kept from the last run).', min: 1, max: 65533 }),
  };

  async run(): Promise<LocalUpResult> {
    const { flags } = await this.parse(LocalUp);
    if (flags.listen !== undefined && isIP(flags.listen) === 0) {
      throw usageError(`--listen ${flags.listen} is not an IP address`, 'pass an address of this machine, like 0.0.0.0 (every interface), 172.17.0.1 (the docker bridge) or 127.0.0.1');
    }
    const project = this.project(flags);
    const result = await localUp(project.root, project.env, { foreground: flags.foreground, listen: flags.listen, port: flags.port }, this.logger(flags));
    if (result.state.postgres.password) redactor.add(result.state.postgres.password);
    const s = result.state;
    this.log(result.status === 'already-running' ? `The local stack is already running (pid ${s.pid}).` : `Local stack started in ${(result.ms / 1000).toFixed(1)} s (pid ${s.pid}).`);
    this.log(`  PostgreSQL  ${redactUrl(result.env.CONNECTION_URL ?? '')}`);
    this.log(`  S3 API      ${result.env.AWS_ENDPOINT_URL_S3}  buckets: ${s.buckets.uploads}, ${s.buckets.assets}, ${s.buckets.site}`);
    if (result.env.AWS_ENDPOINT_URL_DYNAMODB) this.log(`  DynamoDB    ${result.env.AWS_ENDPOINT_URL_DYNAMODB}`);
    this.log(`  thumbnails  ${s.buckets.uploads} -> ${s.buckets.assets} by your handler when there is one (\`cruddur avatar config\`; log in .cruddur/local.log)`);
    this.log('  settings    .cruddur/local.env (used when no real setting is present)');
    if (flags.foreground && result.status === 'started') {
      this.log('Press Ctrl-C to stop.');
      await waitForExit(s);
    }
    return result;
  }
}
