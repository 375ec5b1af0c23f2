import type { ProjectConfig } from '../core/config.js';
import type { Logger } from '../core/output.js';
import { runTasks, type Task, type TaskOutcome } from '../core/tasks.js';
import { migrate, type MigrateResult } from '../migrations/runner.js';
import { createDatabase, dropDatabase } from './admin.js';
import { quoteIdent, resolveDbTarget, withClient } from './client.js';
import type { DbTarget } from './connection.js';
import { readSqlFile, runScript, type TransactionMode } from './script.js';

type Project = Pick<ProjectConfig, 'root' | 'paths' | 'resolve'>;

export interface LoadResult {
  database: string;
  file: string;
  ms: number;
  /** Statements the server ran. */
  statements: number;
  /** psql's \echo lines, in order. */
  echoes: string[];
}

function display(path: string): string {
  return path.replace(/^\.\//, '');
}

export interface LoadOptions {
  /** psql's -1 (`single`), or psql's default commit behaviour (`auto`, see TransactionMode). */
  mode?: TransactionMode;
  /** Directory `\i` resolves against (psql: the working directory). */
  cwd?: string;
}

/** Runs a project SQL file (schema or seed) on the target database as psql -f would (see script.ts). */
export async function loadSqlFile(project: Project, target: DbTarget, which: 'schema' | 'seed', options: LoadOptions = {}): Promise<LoadResult> {
  const relative = project.paths[which];
  const script = await readSqlFile(project.resolve(relative), display(relative), which, {
    cwd: options.cwd ?? process.cwd(),
    database: target.database,
    displayRoot: project.root,
  });
  const started = Date.now();
  const result = await withClient(target, (client) => runScript(client, script, { mode: options.mode }));
  return { database: target.database, file: script.file, ms: Date.now() - started, statements: result.statements, echoes: result.echoes };
}

export function migrationsSource(project: Project): { dir: string; display: string } {
  return { dir: project.resolve(project.paths.migrations), display: display(project.paths.migrations).replace(/\/+$/, '') };
}

export interface TableCount {
  table: string;
  rows: number;
}

/** Row counts of every table in the public schema (exact count(*), for small app databases). */
export async function tableCounts(target: DbTarget): Promise<TableCount[]> {
  return withClient(target, async (client) => {
    const tables = await client.query<{ name: string }>(
      `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`,
    );
    const out: TableCount[] = [];
    for (const { name } of tables.rows) {
      const result = await client.query<{ n: string }>(`SELECT count(*) AS n FROM public.${quoteIdent(name)}`);
      out.push({ table: name, rows: Number(result.rows[0]?.n ?? 0) });
    }
    return out;
  });
}

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

/**
 * The `bootstrap --db` step: `db setup` on CONNECTION_URL, or on the local embedded PostgreSQL when it is
 * unset. Shape agreed for bootstrap hooks: run(project, aws, logger, options).
 */
export async function run(
  project: Pick<ProjectConfig, 'root' | 'paths' | 'resolve' | 'env'>,
  _aws: unknown,
  logger: Logger,
  options: { silent?: boolean; force?: boolean } = {},
): Promise<SetupResult> {
  const target = await resolveDbTarget(project, {}, logger);
  return setupDatabase(project, target, { silent: options.silent ?? true, force: options.force }, logger);
}
