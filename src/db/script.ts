import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Client } from 'pg';
import { CruddurError, firstLine } from '../core/errors.js';
import { lineAt, noTransactionReason, splitStatements, statementAt } from './sql-split.js';

/** SQL to run, with where it came from so an error can name file and line. */
export interface SqlScript {
  sql: string;
  /** The file as the user knows it (relative to the project root). */
  file: string;
  /** Line of the file where `sql` starts (1 for a whole file; the line after `-- migrate:up` for a section). */
  firstLine?: number;
}

export interface RunScriptOptions {
  /** 'auto' wraps the script in BEGIN/COMMIT unless a statement cannot run in a transaction. */
  transaction?: 'auto' | 'never';
}

interface PgErrorLike {
  message?: string;
  code?: string;
  position?: string;
  detail?: string;
  hint?: string;
}

/** Where an error happened in a script (pure). `position` is PostgreSQL's 1-based character offset. */
export function locateError(script: SqlScript, position: number | undefined): { line: number; statement: string } | undefined {
  if (position === undefined || !Number.isFinite(position)) return undefined;
  const offset = Math.max(0, position - 1);
  const statements = splitStatements(script.sql);
  const statement = statementAt(statements, offset);
  return {
    line: lineAt(script.sql, offset) + (script.firstLine ?? 1) - 1,
    statement: statement ? firstLine(statement.text) : '',
  };
}

export function sqlError(script: SqlScript, error: unknown, where: { line: number; statement: string } | undefined): CruddurError {
  const e = (typeof error === 'object' && error !== null ? error : {}) as PgErrorLike;
  const at = where ? `${script.file}:${where.line}` : script.file;
  const near = where?.statement ? ` (in \`${where.statement.length > 80 ? `${where.statement.slice(0, 77)}...` : where.statement}\`)` : '';
  const detail = e.detail ? ` ${firstLine(e.detail)}` : '';
  return new CruddurError(`${at}: ${firstLine(e.message ?? String(error))}${near}${detail}`, {
    suggestion: e.hint ? firstLine(e.hint) : `fix the SQL at ${at} and run again (nothing from this file was kept)`,
    code: 'DB_SQL_ERROR',
    cause: error,
    details: { file: script.file, line: where?.line, statement: where?.statement, sqlState: e.code },
  });
}

/**
 * Runs a script whole (one round trip, like `psql -1 -f`), inside a transaction when PostgreSQL allows.
 */
export async function runScript(client: Client, script: SqlScript, options: RunScriptOptions = {}): Promise<void> {
  const wrap = (options.transaction ?? 'auto') === 'auto' && noTransactionReason(splitStatements(script.sql)) === undefined;
  if (!wrap) return runStatements(client, script);
  await client.query('BEGIN');
  try {
    await client.query(script.sql);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw await explainFailure(client, script, error, true);
  }
}

/**
 * Runs statement by statement with no transaction (as psql does): a multi-statement query would be an
 * implicit transaction, which CREATE INDEX CONCURRENTLY, VACUUM and friends refuse.
 */
export async function runStatements(client: Client, script: SqlScript): Promise<void> {
  for (const statement of splitStatements(script.sql)) {
    try {
      await client.query(statement.text);
    } catch (error) {
      const position = Number((error as PgErrorLike).position);
      const offset = statement.start + (Number.isFinite(position) ? position - 1 : 0);
      throw sqlError(script, error, { line: lineAt(script.sql, offset) + (script.firstLine ?? 1) - 1, statement: firstLine(statement.text) });
    }
  }
}

/**
 * The error for a failed script, naming file and line. Without a position (constraint violations,
 * runtime errors) and when `canReplay` (the failed work was rolled back and is transactional), the
 * statements are replayed one by one in a transaction that is rolled back, only to find the failing one.
 * Call it with no transaction open.
 */
export async function explainFailure(client: Client, script: SqlScript, error: unknown, canReplay: boolean): Promise<CruddurError> {
  if (error instanceof CruddurError) return error;
  const position = Number((error as PgErrorLike).position);
  let where = locateError(script, Number.isFinite(position) ? position : undefined);
  if (!where && canReplay && worthReplaying(error)) where = await replayToLocate(client, script).catch(() => undefined);
  return sqlError(script, error, where);
}

/**
 * Replaying finds the failing line of an SQL error, but an error that says nothing about the SQL (cancelled by
 * Ctrl-C or a statement_timeout: class 57; connection lost: class 08 or no SQLSTATE) would only run the slow
 * part again, holding locks after the user asked to stop.
 */
export function worthReplaying(error: unknown): boolean {
  const code = (typeof error === 'object' && error !== null ? (error as PgErrorLike).code : undefined) ?? '';
  return /^[0-9A-Z]{5}$/.test(code) && !code.startsWith('57') && !code.startsWith('08');
}

async function replayToLocate(client: Client, script: SqlScript): Promise<{ line: number; statement: string } | undefined> {
  const statements = splitStatements(script.sql);
  await client.query('BEGIN');
  try {
    for (const statement of statements) {
      try {
        await client.query(statement.text);
      } catch {
        return { line: lineAt(script.sql, statement.start) + (script.firstLine ?? 1) - 1, statement: firstLine(statement.text) };
      }
    }
    return undefined;
  } finally {
    await client.query('ROLLBACK').catch(() => {});
  }
}

/** Reads an SQL file the project names; a missing one is an error saying which setting points at it. */
export async function readSqlFile(path: string, display: string, setting: string): Promise<SqlScript> {
  if (!existsSync(path)) {
    throw new CruddurError(`${display} does not exist`, {
      suggestion: `create it, or point "${setting}" in cruddur.json at your file`,
      code: 'DB_FILE_MISSING',
    });
  }
  return { sql: await readFile(path, 'utf8'), file: display, firstLine: 1 };
}
