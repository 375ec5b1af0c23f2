import { existsSync } from 'node:fs';
import { AwsClients, resolveAwsSettings } from '../aws/clients.js';
import type { ProjectConfig } from '../core/config.js';
import type { Logger } from '../core/output.js';
import { runTasks, type Task, type TaskOutcome } from '../core/tasks.js';

export const PREPARE_STEPS = ['db', 'cognito', 'ddb-schema', 'ddb-seed'] as const;
export type PrepareStep = (typeof PREPARE_STEPS)[number];

export interface PrepareContext {
  project: ProjectConfig;
  /** Clients built from the project's variables (Cognito). */
  aws: AwsClients;
  logger: Logger;
  options: { skip: readonly string[]; silent?: boolean; region?: string; profile?: string };
}

export interface PrepareResult {
  tasks: TaskOutcome[];
  ok: boolean;
}

const flagged = (ctx: PrepareContext, step: PrepareStep) => (ctx.options.skip.includes(step) ? `--skip ${step}` : undefined);

/** The DynamoDB client of the local stack (or the endpoint the project sets); never real DynamoDB. */
async function localDynamo(ctx: PrepareContext) {
  const [{ resolveDdbTarget }, { createDynamoStore }] = await Promise.all([import('../ddb/target.js'), import('../aws/dynamodb.js')]);
  const target = await resolveDdbTarget(ctx.project, { prod: false }, ctx.logger);
  const clients = new AwsClients(resolveAwsSettings({ env: target.env, region: ctx.options.region, profile: ctx.options.profile }), ctx.logger);
  return { store: createDynamoStore(await clients.dynamodb()), clients, target };
}

/**
 * The bootcamp's bin/prepare as a task list: db setup, db update-cognito-user-ids (skipped, with the reason,
 * when AWS_COGNITO_USER_POOL_ID is not set), ddb schema-load, ddb seed (skipped when there is no seed file).
 * Like bootstrap, a failing step does not stop the others, and the result says which failed (exit 1).
 * Works on the development stack only: CONNECTION_URL or the local PostgreSQL, and the local DynamoDB.
 */
export function prepareTasks(): Array<Task<PrepareContext>> {
  return [
    {
      id: 'db',
      title: 'Set up the database (db setup)',
      skip: (ctx) => flagged(ctx, 'db'),
      async run(ctx) {
        const { setupConfiguredDatabase } = await import('../migrations/setup.js');
        const result = await setupConfiguredDatabase(ctx.project, ctx.logger, { silent: true });
        return `${result.database}: ${result.seededRows} seeded rows, ${result.migrations.applied.length} migration(s) applied`;
      },
    },
    {
      id: 'cognito',
      title: 'Set users.cognito_user_id from Cognito (db update-cognito-user-ids)',
      skip: (ctx) => flagged(ctx, 'cognito') ?? (ctx.project.env.AWS_COGNITO_USER_POOL_ID ? undefined : 'AWS_COGNITO_USER_POOL_ID is not set (no user pool to read)'),
      async run(ctx) {
        const [{ resolveDbTarget }, { updateCognitoUserIds, listCognitoUsers }, { fromAwsError }] = await Promise.all([
          import('../db/client.js'),
          import('../db/cognito.js'),
          import('../aws/errors.js'),
        ]);
        const target = await resolveDbTarget(ctx.project, {}, ctx.logger);
        const listUsers = async (id: string) => {
          try {
            return await listCognitoUsers(await ctx.aws.cognito(), id);
          } catch (error) {
            throw fromAwsError(error, `list the users of Cognito pool ${id}`);
          }
        };
        const result = await updateCognitoUserIds(target, ctx.project.env.AWS_COGNITO_USER_POOL_ID, listUsers, {}, ctx.logger);
        return `${result.matched} matched (${result.updated} updated, ${result.unchanged} unchanged), ${result.unmatched} unmatched`;
      },
    },
    {
      id: 'ddb-schema',
      title: 'Create the DynamoDB table (ddb schema-load)',
      skip: (ctx) => flagged(ctx, 'ddb-schema'),
      async run(ctx) {
        const [{ loadTableDefinition }, { schemaLoad }] = await Promise.all([import('../ddb/definition.js'), import('../ddb/ddb.js')]);
        const loaded = await loadTableDefinition(ctx.project);
        const { store, clients } = await localDynamo(ctx);
        try {
          const result = await schemaLoad(store, loaded, {}, ctx.logger);
          return `${result.table} ${result.action} (${result.status})`;
        } finally {
          clients.destroy();
        }
      },
    },
    {
      id: 'ddb-seed',
      title: 'Seed DynamoDB (ddb seed)',
      skip: async (ctx) => {
        const { seedFilePath } = await import('../ddb/files.js');
        const seed = seedFilePath(ctx.project);
        return flagged(ctx, 'ddb-seed') ?? (existsSync(seed.path) ? undefined : `no seed file at ${seed.display} ("ddbSeed" in cruddur.json)`);
      },
      async run(ctx) {
        const [{ loadSeedFile }, { seedTables }] = await Promise.all([import('../ddb/files.js'), import('../ddb/ddb.js')]);
        const seed = await loadSeedFile(ctx.project);
        const { store, clients } = await localDynamo(ctx);
        try {
          const result = await seedTables(store, seed.items, seed.file, {}, ctx.logger);
          return result.tables.map((t) => `${t.table}: ${t.written} item(s)`).join(', ');
        } finally {
          clients.destroy();
        }
      },
    },
  ];
}

export async function prepare(ctx: PrepareContext): Promise<PrepareResult> {
  const tasks = await runTasks(prepareTasks(), ctx, { exitOnError: false, silent: ctx.options.silent });
  return { tasks, ok: tasks.every((t) => t.status !== 'failed') };
}
