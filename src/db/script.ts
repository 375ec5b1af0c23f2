import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Client } from 'pg';
import { CruddurError, firstLine } from '../core/errors.js';
import { lineOfPosition, readScript, type ParsedScript, type ReadOptions, type ScriptSource, type ScriptStatement } from './script-reader.js';

export type { ParsedScript, ScriptStatement } from './script-reader.js';

/**
 * How a script's statements are committed:
 * - `auto` (default, psql without -1): every statement ends up committed as psql commits it. Runs of statements
 *   PostgreSQL allows in a transaction block go in one transaction (faster, same result); a statement it refuses
 *   there (CREATE INDEX CONCURRENTLY, VACUUM, CREATE DATABASE...; SQLSTATE 25001) or whose effect is usable only
 *   after commit (ALTER TYPE ... ADD VALUE; 55P04) runs on its own; a file with its own BEGIN/COMMIT runs
 *   statement by statement. When a transaction fails, it is rolled back and re-run statement by statement in
 *   autocommit, exactly as psql would have run it, so what stays committed is what psql would have kept.
 * - `single` (psql -1, --single-transaction): the whole file in one transaction, or nothing.
 * - `none`: statement by statement in autocommit (psql without -1, literally).
 */
export type TransactionMode = 'auto' | 'single' | 'none';

export interface RunScriptResult {
  statements: number;
  /** psql's \echo lines, in order. */
  echoes: string[];
}

interface PgErrorLike {
  message?: string;
  code?: string;
  position?: string;
  detail?: string;
  hint?: string;
  where?: string;
}

/**
 * The one transaction helper (scripts, migrations): BEGIN, `work`, COMMIT; on any failure ROLLBACK (its own
 * failure ignored: the connection may be gone) and rethrow the original error.
 */
export async function inTransaction<T>(client: Client, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  let result: T;
  try {
    result = await work();
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
  await client.query('COMMIT');
  return result;
}

/** Reads a script (see script-reader.ts) from a file the project names; a missing one says which setting points at it. */
export async function readSqlFile(path: string, display: string, setting: string, options: ReadOptions): Promise<ParsedScript> {
  const { existsSync } = await import('node:fs');
  if (!existsSync(path)) {
    throw new CruddurError(`${display} does not exist`, {
      suggestion: `create it, or point "${setting}" in cruddur.json at your file`,
      code: 'DB_FILE_MISSING',
    });
  }
  return readScript({ path, display }, options);
}

export { readScript, type ReadOptions, type ScriptSource };

/**
 * What stays committed when a statement fails: `committed` statements (transaction control not counted) ran and
 * were committed before the failing statement's transaction; `rolledBack` ran inside the explicit transaction
 * (BEGIN ... ) the failure aborted, so they are gone. `allOrNothing` names the caller's way to keep nothing on
 * error (`--single-transaction ...`), only when the command has one.
 */
export interface Kept {
  committed: number;
  rolledBack?: number;
  allOrNothing?: string;
}

/** What the user is told was kept when a statement fails (pure). */
export function keptNote(kept: Kept): string {
  const { committed } = kept;
  const rolledBack = kept.rolledBack ?? 0;
  const transaction = rolledBack > 0 ? `; the ${rolledBack} statement${rolledBack === 1 ? '' : 's'} of its transaction ${rolledBack === 1 ? 'was' : 'were'} rolled back` : '';
  if (committed === 0) return `nothing from this file was kept${transaction}`;
  const plural = committed !== 1;
  const before = rolledBack > 0 ? 'before its transaction' : 'before it';
  return `the ${committed} statement${plural ? 's' : ''} ${before} ${plural ? 'stay' : 'stays'} committed, as psql commits them${transaction}${kept.allOrNothing ? `; ${kept.allOrNothing}` : ''}`;
}

/** The file line an error points at: the server's position inside the statement, or COPY's data line, or its first line. */
export function errorLine(statement: ScriptStatement, error: unknown): number {
  const e = (typeof error === 'object' && error !== null ? error : {}) as PgErrorLike;
  const copyLine = statement.copyData !== undefined ? /\bCOPY \S+, line (\d+)/.exec(e.where ?? '') : null;
  if (copyLine) return lineOfPosition(statement, statement.text.length + 1) + Number(copyLine[1]);
  const position = Number(e.position);
  return Number.isFinite(position) && position > 0 ? lineOfPosition(statement, position) : statement.line;
}

/** An SQL failure as one line naming file, line and statement, and one line saying what was kept. */
export function sqlError(statement: ScriptStatement, error: unknown, kept: Kept): CruddurError {
  if (error instanceof CruddurError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as PgErrorLike;
  const line = errorLine(statement, error);
  const at = `${statement.file}:${line}`;
  const text = firstLine(statement.text.trim());
  const near = ` (in \`${text.length > 80 ? `${text.slice(0, 77)}...` : text}\`)`;
  const detail = e.detail ? ` ${firstLine(e.detail)}` : '';
  const note = keptNote(kept);
  return new CruddurError(`${at}: ${firstLine(e.message ?? String(error))}${near}${detail}`, {
    suggestion: e.hint ? `${firstLine(e.hint)} (${note})` : `fix the SQL at ${at} and run again (${note})`,
    code: 'DB_SQL_ERROR',
    cause: error,
    details: { file: statement.file, line, statement: text, sqlState: e.code, kept: kept.committed, rolledBack: kept.rolledBack ?? 0 },
  });
}

/**
 * Replaying finds the failing statement, but an error that says nothing about the SQL (cancelled by Ctrl-C or a
 * statement_timeout: class 57; connection lost: class 08 or no SQLSTATE) would only run the slow part again.
 */
export function worthReplaying(error: unknown): boolean {
  const code = (typeof error === 'object' && error !== null ? (error as PgErrorLike).code : undefined) ?? '';
  return /^[0-9A-Z]{5}$/.test(code) && !code.startsWith('57') && !code.startsWith('08');
}

class StatementFailure extends Error {
  constructor(
    readonly statement: ScriptStatement,
    readonly original: unknown,
    /** Statements of the batch that ran before it. */
    readonly index: number,
  ) {
    super('statement failed');
  }
}

async function copyIn(client: Client, statement: ScriptStatement): Promise<void> {
  const { from } = await import('pg-copy-streams');
  await pipeline(Readable.from([Buffer.from(statement.copyData ?? '', 'utf8')]), client.query(from(statement.text)));
}

/**
 * Sends statements in order on the current session (no transaction handling): runs of plain statements go as one
 * multi-statement query, COPY ... FROM stdin streams its data. Throws StatementFailure naming the statement when
 * the server gives a position (or COPY a line); otherwise `index` is -1.
 */
async function send(client: Client, statements: ScriptStatement[], batch: boolean): Promise<void> {
  let k = 0;
  while (k < statements.length) {
    const statement = statements[k] as ScriptStatement;
    if (statement.copyData !== undefined) {
      try {
        await copyIn(client, statement);
      } catch (error) {
        throw new StatementFailure(statement, error, k);
      }
      k += 1;
      continue;
    }
    let end = k + 1;
    if (batch) while (end < statements.length && statements[end]?.copyData === undefined) end += 1;
    const group = statements.slice(k, end);
    const text = group.map((s) => s.text).join('\n');
    try {
      await client.query(text);
    } catch (error) {
      if (group.length === 1) throw new StatementFailure(statement, error, k);
      const position = Number((error as PgErrorLike).position);
      if (Number.isFinite(position) && position > 0) {
        let offset = 0;
        for (let g = 0; g < group.length; g += 1) {
          const s = group[g] as ScriptStatement;
          if (position - 1 < offset + s.text.length + 1) {
            const inner: PgErrorLike = { ...(error as PgErrorLike), message: (error as Error).message, position: String(position - offset) };
            throw new StatementFailure(s, inner, k + g);
          }
          offset += s.text.length + 1;
        }
      }
      throw new StatementFailure(statement, error, -1);
    }
    k = end;
  }
}

/**
 * Autocommit, one statement per query, stopping at the first failure: psql's own way. Follows the file's own
 * BEGIN/COMMIT/ROLLBACK/SAVEPOINT so the error says truthfully which statements stay committed (those committed
 * before the failing statement's open transaction). Returns nothing; throws sqlError.
 */
async function runAutocommit(client: Client, statements: ScriptStatement[], committedBefore: number, allOrNothing: string | undefined): Promise<void> {
  let committed = committedBefore;
  let inBlock = false;
  let pending = 0;
  let savepoints: Array<{ name: string; pending: number }> = [];
  for (const statement of statements) {
    try {
      await send(client, [statement], false);
    } catch (failure) {
      const f = failure as StatementFailure;
      throw sqlError(statement, f.original ?? failure, { committed, rolledBack: inBlock ? pending : 0, allOrNothing });
    }
    const kind = statement.transaction?.kind;
    const name = statement.transaction?.savepoint;
    if (kind === 'TRANS_STMT_BEGIN' || kind === 'TRANS_STMT_START') {
      if (!inBlock) [inBlock, pending, savepoints] = [true, 0, []];
    } else if (kind === 'TRANS_STMT_COMMIT') {
      if (inBlock) committed += pending;
      [inBlock, pending, savepoints] = [false, 0, []];
    } else if (kind === 'TRANS_STMT_ROLLBACK' || kind === 'TRANS_STMT_PREPARE') {
      // A prepared transaction is not committed until COMMIT PREPARED, which may never come.
      [inBlock, pending, savepoints] = [false, 0, []];
    } else if (kind === 'TRANS_STMT_SAVEPOINT') {
      if (inBlock && name !== undefined) savepoints.push({ name, pending });
    } else if (kind === 'TRANS_STMT_RELEASE' || kind === 'TRANS_STMT_ROLLBACK_TO') {
      const at = savepoints.map((p) => p.name).lastIndexOf(name ?? '');
      if (at >= 0 && kind === 'TRANS_STMT_ROLLBACK_TO') {
        pending = (savepoints[at] as { pending: number }).pending;
        savepoints = savepoints.slice(0, at + 1);
      } else if (at >= 0) savepoints = savepoints.slice(0, at);
    } else if (!statement.transactionControl) {
      if (inBlock) pending += 1;
      else committed += 1;
    }
  }
}

/** Finds the failing statement of a rolled-back batch by replaying it in a transaction that is rolled back. */
async function locateByReplay(client: Client, statements: ScriptStatement[]): Promise<{ statement: ScriptStatement; error: unknown } | undefined> {
  await client.query('BEGIN');
  try {
    for (const statement of statements) {
      try {
        await send(client, [statement], false);
      } catch (failure) {
        return { statement, error: (failure as StatementFailure).original };
      }
    }
    return undefined;
  } finally {
    await client.query('ROLLBACK').catch(() => {});
  }
}

/**
 * Runs statements in one transaction opened by the caller (migrations, --single-transaction). On failure the
 * caller's transaction is aborted; rethrows the raw error wrapped so `explainInTransaction` can name the line.
 */
export async function runInOpenTransaction(client: Client, statements: ScriptStatement[]): Promise<void> {
  await send(client, statements, true);
}

/**
 * The error for a failure of `runInOpenTransaction`, to call after the transaction was rolled back: names the
 * statement from the server's position, else by replaying in a rolled-back transaction.
 */
export async function explainRolledBack(client: Client, statements: ScriptStatement[], failure: unknown): Promise<CruddurError> {
  if (failure instanceof CruddurError) return failure;
  if (failure instanceof StatementFailure) {
    if (failure.index >= 0 || statements.length === 1) return sqlError(failure.statement, failure.original, { committed: 0 });
    const found = worthReplaying(failure.original) ? await locateByReplay(client, statements).catch(() => undefined) : undefined;
    return sqlError(found?.statement ?? failure.statement, found?.error ?? failure.original, { committed: 0 });
  }
  const first = statements[0];
  if (!first) return new CruddurError(firstLine((failure as Error).message ?? String(failure)), { suggestion: 'run again', code: 'DB_SQL_ERROR', cause: failure });
  return sqlError(first, failure, { committed: 0 });
}

/** Splits statements into runs that may share a transaction and statements that need their own (pure). */
export function transactionSegments(statements: ScriptStatement[]): Array<{ own: boolean; statements: ScriptStatement[] }> {
  const out: Array<{ own: boolean; statements: ScriptStatement[] }> = [];
  for (const s of statements) {
    const last = out[out.length - 1];
    if (s.ownTransaction) out.push({ own: true, statements: [s] });
    else if (last && !last.own) last.statements.push(s);
    else out.push({ own: false, statements: [s] });
  }
  return out;
}

/**
 * `\encoding SQL_ASCII` before non-ASCII text: psql sends those bytes unconverted, which a UTF8 or SQL_ASCII
 * database stores as the same characters cruddur sends as UTF-8; any other database would store other characters.
 */
async function checkRawBytes(client: Client, at: { file: string; line: number }): Promise<void> {
  const result = await client.query<{ server_encoding: string }>('SHOW server_encoding');
  const encoding = result.rows[0]?.server_encoding ?? '';
  if (encoding === 'UTF8' || encoding === 'SQL_ASCII') return;
  throw new CruddurError(`${at.file}:${at.line}: \\encoding SQL_ASCII: the non-ASCII text after it would be stored unconverted in this ${encoding} database, unlike the UTF-8 cruddur sends`, {
    suggestion: 'load it into a UTF8 database, or convert the text to the database encoding and remove the \\encoding line',
    code: 'DB_SCRIPT_META',
  });
}

export interface RunScriptOptions {
  mode?: TransactionMode;
  /**
   * How the caller's command keeps nothing on error (e.g. `--single-transaction keeps nothing on error`), added
   * to the "what was kept" note; omitted when the command has no such option (a `transaction:false` migration).
   */
  allOrNothing?: string;
}

/**
 * Runs a parsed script on a session with no transaction open, following psql (see TransactionMode).
 * Errors are CruddurErrors naming file, line (the server's position where it gives one) and statement, and
 * saying truthfully what stayed committed.
 */
export async function runScript(client: Client, script: ParsedScript, options: RunScriptOptions = {}): Promise<RunScriptResult> {
  const statements = script.statements;
  if (script.rawBytes) await checkRawBytes(client, script.rawBytes);
  let mode = options.mode ?? 'auto';
  if (mode === 'single') {
    try {
      await inTransaction(client, () => runInOpenTransaction(client, statements));
    } catch (error) {
      throw await explainRolledBack(client, statements, error);
    }
    return { statements: statements.length, echoes: script.echoes };
  }
  if (statements.some((s) => s.transactionControl)) mode = 'none';
  const { allOrNothing } = options;
  if (mode === 'none') {
    await runAutocommit(client, statements, 0, allOrNothing);
    return { statements: statements.length, echoes: script.echoes };
  }
  let kept = 0;
  for (const segment of transactionSegments(statements)) {
    if (segment.own) {
      await runAutocommit(client, segment.statements, kept, allOrNothing);
    } else {
      try {
        await inTransaction(client, () => send(client, segment.statements, true));
      } catch (failure) {
        const original = failure instanceof StatementFailure ? failure.original : failure;
        if (!worthReplaying(original)) {
          const statement = failure instanceof StatementFailure ? failure.statement : (segment.statements[0] as ScriptStatement);
          throw sqlError(statement, original, { committed: kept, allOrNothing });
        }
        // Rolled back: run it again as psql does (25001/55P04 then pass; a real error stops where psql stops).
        await runAutocommit(client, segment.statements, kept, allOrNothing);
      }
    }
    kept += segment.statements.filter((st) => !st.transactionControl).length;
  }
  return { statements: statements.length, echoes: script.echoes };
}
