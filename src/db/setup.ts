import type { ProjectConfig } from '../core/config.js';
import { quoteIdent, withClient } from './client.js';
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
    session: { user: target.user, host: target.host, port: target.port },
    displayRoot: project.root,
  });
  const started = Date.now();
  const result = await withClient(target, (client) => runScript(client, script, { mode: options.mode, allOrNothing: '--single-transaction keeps nothing on error' }));
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
