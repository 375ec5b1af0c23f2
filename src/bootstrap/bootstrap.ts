import type { AwsClients } from '../aws/clients.js';
import type { ProjectConfig } from '../core/config.js';
import { execProgram, hasProgram } from '../core/exec.js';
import type { Logger } from '../core/output.js';
import { runTasks, type Task, type TaskOutcome } from '../core/tasks.js';
import { ecrLogin } from '../ecr/login.js';
import { generateEnvFiles } from '../env/generate.js';
import { dbBootstrapTask } from '../migrations/bootstrap.js';
import { S3RVER_CREDENTIALS } from '../local/s3-server.js';
import { rdsUpdateSgSkipReason, runRdsUpdateSg } from '../rds/bootstrap.js';

export const BOOTSTRAP_STEPS = ['ecr', 'env', 'rds', 'db', 'prepare'] as const;
export type BootstrapStep = (typeof BOOTSTRAP_STEPS)[number];

export interface BootstrapOptions {
  skip: BootstrapStep[];
  db: boolean;
  /** Run `cruddur prepare` (db setup, Cognito ids, DynamoDB table and seed) as the last step. */
  prepare?: boolean;
  /** No listr rendering (--json). */
  silent: boolean;
}

export interface BootstrapContext {
  project: ProjectConfig;
  aws: AwsClients;
  logger: Logger;
  options: BootstrapOptions;
}

export interface BootstrapResult {
  tasks: TaskOutcome[];
  ok: boolean;
}

/** Resolves the credential chain with a bound; undefined when credentials were found, else why not (an expired SSO session, ...). */
async function missingAwsCredentials(aws: AwsClients): Promise<string | undefined> {
  try {
    const credentials = await aws.credentials();
    const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 5_000).unref());
    const found = await Promise.race([credentials(), timeout]);
    return found?.accessKeyId ? undefined : 'no AWS credentials found';
  } catch (error) {
    return error instanceof Error ? error.message : 'no AWS credentials found';
  }
}

function skippedByFlag(step: BootstrapStep, ctx: BootstrapContext): string | undefined {
  return ctx.options.skip.includes(step) ? `--skip ${step}` : undefined;
}

export function bootstrapTasks(): Array<Task<BootstrapContext>> {
  return [
    {
      id: 'ecr',
      title: 'Log Docker in to ECR',
      async skip(ctx) {
        const flagged = skippedByFlag('ecr', ctx);
        if (flagged) return flagged;
        if (!(await hasProgram('docker'))) return 'Docker is not installed';
        // `cruddur local up` supplies s3rver's placeholder keys: they are no account to log in with.
        if ((await ctx.aws.resolved()).credentials?.accessKeyId === S3RVER_CREDENTIALS.accessKeyId) return 'only the local stack\'s S3 credentials are set';
        return missingAwsCredentials(ctx.aws);
      },
      async run(ctx) {
        const result = await ecrLogin(await ctx.aws.ecr(), execProgram);
        return `logged in to ${result.registry}`;
      },
    },
    {
      id: 'env',
      title: 'Generate env files',
      skip: (ctx) => skippedByFlag('env', ctx),
      async run(ctx) {
        const { files } = await generateEnvFiles(ctx.project, {}, ctx.logger);
        const written = files.filter((f) => f.status === 'written').length;
        return `${written} written, ${files.length - written} unchanged`;
      },
    },
    {
      id: 'rds',
      title: 'Allow this machine on the RDS security group',
      skip: (ctx) => skippedByFlag('rds', ctx) ?? rdsUpdateSgSkipReason(ctx.project.env),
      async run(ctx) {
        const outcome = await runRdsUpdateSg(ctx.project, ctx.aws, ctx.logger);
        return outcome.status === 'done' ? outcome.summary : outcome.reason;
      },
    },
    dbBootstrapTask(),
    {
      id: 'prepare',
      title: 'Prepare the development data (cruddur prepare)',
      skip: (ctx) => skippedByFlag('prepare', ctx) ?? (ctx.options.prepare ? undefined : 'pass --prepare to run it'),
      async run(ctx) {
        const { prepare } = await import('../prepare/prepare.js');
        const result = await prepare({ project: ctx.project, aws: ctx.aws, logger: ctx.logger, options: { skip: [], silent: true } });
        const summary = result.tasks.map((t) => `${t.id} ${t.status}`).join(', ');
        if (!result.ok) {
          const failed = result.tasks.find((t) => t.status === 'failed');
          throw new Error(`${failed?.id} failed: ${failed?.detail ?? ''} (${summary})`);
        }
        return summary;
      },
    },
  ];
}

/** The start-up routine: every step runs (or says why it was skipped); a failure does not stop the others. */
export async function bootstrap(ctx: BootstrapContext): Promise<BootstrapResult> {
  const tasks = await runTasks(bootstrapTasks(), ctx, { exitOnError: false, silent: ctx.options.silent });
  return { tasks, ok: tasks.every((t) => t.status !== 'failed') };
}
