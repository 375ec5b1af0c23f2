// `db setup` (and the `bootstrap --db` step): drop, create, schema, seed, then migrate. It lives here, above
// src/db, because it runs migrations and migrations use src/db's connection: src/db never imports src/migrations.
import type { ProjectConfig } from '../core/config.js';
import type { Logger } from '../core/output.js';
import { runTasks, type Task, type TaskOutcome } from '../core/tasks.js';
import { createDatabase, dropDatabase } from '../db/admin.js';
import { resolveDbTarget } from '../db/client.js';
import type { DbTarget } from '../db/connection.js';
import { loadSqlFile, migrationsSource, tableCounts, type LoadOptions, type TableCount } from '../db/setup.js';
import { migrate, type MigrateResult } from './runner.js';

type Project = Pick<ProjectConfig, 'root' | 'paths' | 'resolve'>;

export interface SetupOptions {
  /** Terminate open sessions when dropping. */
  force?: boolean;
  /** No task list on stderr (--json). */
  silent?: boolean;
  /** psql's -1 for schema.sql and seed.sql. */
  singleTransaction?: boolean;
}

export interface SetupResult {
  target: string;
  database: string;
  steps: TaskOutcome[];
  migrations: Pick<MigrateResult, 'applied' | 'baselined'>;
  tables: TableCount[];
  /** Rows in the tables the seed filled (everything except the migration bookkeeping tables). */
  seededRows: number;
}

const BOOKKEEPING = new Set(['schema_migrations', 'schema_information']);

/** `db setup`: drop if it exists, create, load schema.sql, seed.sql, then migrate; each step listed. */
export async function setupDatabase(project: Project, target: DbTarget, options: SetupOptions, logger: Logger): Promise<SetupResult> {
  let migrated: MigrateResult | undefined;
  const loadMode: LoadOptions = { mode: options.singleTransaction ? 'single' : 'auto' };
  const tasks: Array<Task<void>> = [
    {
      id: 'drop',
      title: `Drop ${target.database} if it exists`,
      run: async () => {
        const dropped = await dropDatabase(target, { force: options.force === true }, logger);
        return dropped.dropped ? 'dropped' : 'did not exist';
      },
    },
    { id: 'create', title: `Create ${target.database}`, run: async () => void (await createDatabase(target, logger)) },
    { id: 'schema', title: `Load ${project.paths.schema}`, run: async () => `${(await loadSqlFile(project, target, 'schema', loadMode)).ms} ms` },
    { id: 'seed', title: `Seed from ${project.paths.seed}`, run: async () => `${(await loadSqlFile(project, target, 'seed', loadMode)).ms} ms` },
    {
      id: 'migrate',
      title: 'Run migrations',
      run: async () => {
        migrated = await migrate(target, migrationsSource(project), {}, logger);
        return `${migrated.applied.length} applied`;
      },
    },
  ];
  const steps = await runTasks(tasks, undefined, { exitOnError: true, silent: options.silent });
  const tables = await tableCounts(target);
  return {
    target: target.display,
    database: target.database,
    steps,
    migrations: { applied: migrated?.applied ?? [], baselined: migrated?.baselined ?? [] },
    tables,
    seededRows: tables.filter((t) => !BOOKKEEPING.has(t.table)).reduce((sum, t) => sum + t.rows, 0),
  };
}

/** The `bootstrap --db` step: `db setup` on CONNECTION_URL, or on the local embedded PostgreSQL when it is unset. */
export async function setupConfiguredDatabase(
  project: Pick<ProjectConfig, 'root' | 'paths' | 'resolve' | 'env'>,
  logger: Logger,
  options: { silent?: boolean; force?: boolean } = {},
): Promise<SetupResult> {
  const target = await resolveDbTarget(project, {}, logger);
  return setupDatabase(project, target, { silent: options.silent ?? true, force: options.force }, logger);
}
