import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { CruddurError, firstLine } from '../core/errors.js';

/**
 * The psql-compatible script reader: turns an SQL file as `psql -f` reads it into the statements the server
 * receives, each with its file and line. The rules come from psql (src/bin/psql/psqlscan.l, mainloop.c,
 * copy.c) and statement boundaries are confirmed by PostgreSQL's own grammar (libpg-query):
 * - a UTF-8 byte-order mark is dropped and CRLF/CR line endings read as LF;
 * - a statement ends at a `;` outside quotes ('', E'', "", $tag$), comments (--, nested block comments) and
 *   parentheses, unless the grammar says it is not complete yet (a `BEGIN ATOMIC ... END` function body); the
 *   psql differential corpus (test/db/psql-differential.test.ts) proves these boundaries equal to psql's;
 * - a backslash outside quotes starts a meta-command that runs to the end of its line and never reaches the
 *   server: `\restrict`/`\unrestrict`, `\echo`/`\qecho`/`\warn`, `\set ON_ERROR_STOP`, `\encoding UTF8`,
 *   `\i`/`\include` (relative to the working directory), `\ir`/`\include_relative` (relative to the file),
 *   `\c`/`\connect` to the same database and `\q` are handled; any other is an error naming file and line;
 * - `COPY ... FROM stdin` takes the lines after it up to `\.` (or the end of the file) as its data.
 */

/** One statement the server receives. */
export interface ScriptStatement {
  /** The statement as written (from its first token to its `;` included). */
  text: string;
  /** File as shown to the user. */
  file: string;
  /** 1-based line of the statement's first character in `file`. */
  line: number;
  /** The grammar's node name (CreateStmt, CopyStmt, TransactionStmt...); undefined when it does not parse. */
  node?: string;
  /** Inline COPY data (lines between the statement and `\.`), for `COPY ... FROM stdin`. */
  copyData?: string;
  /** PostgreSQL refuses it inside a transaction block, or its effect is usable only after commit (ALTER TYPE ... ADD VALUE). */
  ownTransaction: boolean;
  /** BEGIN, COMMIT, ROLLBACK, SAVEPOINT...: the file manages transactions itself. */
  transactionControl: boolean;
}

export interface ParsedScript {
  /** The top file as shown to the user. */
  file: string;
  statements: ScriptStatement[];
  /** Text of `\echo`, `\qecho` and `\warn`, in order (psql prints them). */
  echoes: string[];
}

export interface ReadOptions {
  /** Directory `\i` resolves against (psql: the working directory). */
  cwd: string;
  /** The database the script runs on, for `\connect` (same one: ignored; another: refused). */
  database?: string;
  /** Directory display names are relative to (default `cwd`). */
  displayRoot?: string;
}

export interface ScriptSource {
  /** Text of the file (already read), or undefined to read `path`. */
  sql?: string;
  /** Absolute path of the file (for `\ir`), or undefined for SQL that is not a file. */
  path?: string;
  display: string;
  /** Line of the file where `sql` starts (a migration section starts after its `-- migrate:up` line). */
  firstLine?: number;
}

type LibPgQuery = typeof import('libpg-query');
let grammar: LibPgQuery | undefined;

/** Loads PostgreSQL's parser (WebAssembly, ~30 ms once per process). */
async function loadGrammar(): Promise<LibPgQuery> {
  if (!grammar) {
    const module = await import('libpg-query');
    await module.loadModule();
    grammar = module;
  }
  return grammar;
}

/** Drops a leading UTF-8 byte-order mark and reads CRLF and lone CR as LF (pure). */
export function normaliseText(text: string): string {
  const noBom = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return noBom.includes('\r') ? noBom.replace(/\r\n?/g, '\n') : noBom;
}

const OWN_TRANSACTION_NODES = new Set([
  'CreatedbStmt',
  'DropdbStmt',
  'CreateTableSpaceStmt',
  'DropTableSpaceStmt',
  'AlterSystemStmt',
  'CreateSubscriptionStmt',
  'DropSubscriptionStmt',
  'AlterEnumStmt',
]);

interface ParsedNode {
  node?: string;
  ownTransaction: boolean;
  transactionControl: boolean;
  copyFromStdin: boolean;
  /** The grammar says the text ends before the statement does (e.g. inside BEGIN ATOMIC ... END). */
  incomplete: boolean;
}

/**
 * Statements whose handling depends on the grammar: COPY (FROM stdin takes data), those PostgreSQL may refuse in a
 * transaction block or whose effect needs a commit, transaction control, and BEGIN ATOMIC bodies (is the statement
 * complete?). Only these are parsed (the WebAssembly parser costs ~80 ms CPU to load); anything this misses, e.g.
 * a comment between the keywords, is still caught by the server's 25001/55P04 refusal and re-run (script.ts).
 */
const NEEDS_GRAMMAR =
  /^(copy\b|(create|drop)\s+(unique\s+)?index\s+concurrently\b|reindex\b|vacuum\b|(create|drop)\s+(database|tablespace|subscription)\b|alter\s+system\b|alter\s+type\b[\s\S]*\badd\s+value\b|(begin|start|commit|end|rollback|abort|savepoint|release|prepare\s+transaction|commit\s+prepared|rollback\s+prepared)\b)|\bbegin\s+atomic\b/i;

const PLAIN: ParsedNode = { ownTransaction: false, transactionControl: false, copyFromStdin: false, incomplete: false };

async function classify(text: string): Promise<ParsedNode> {
  if (!NEEDS_GRAMMAR.test(text)) return PLAIN;
  const pg = await loadGrammar();
  let tree: { stmts?: Array<{ stmt: Record<string, Record<string, unknown>> }> };
  try {
    tree = pg.parseSync(text);
  } catch (error) {
    const message = String((error as Error).message);
    return { ownTransaction: false, transactionControl: false, copyFromStdin: false, incomplete: /at end of input/.test(message) };
  }
  const stmt = tree.stmts?.[0]?.stmt ?? {};
  const node = Object.keys(stmt)[0];
  const body = (node ? stmt[node] : {}) ?? {};
  let ownTransaction = node !== undefined && OWN_TRANSACTION_NODES.has(node);
  if (node === 'IndexStmt' && body.concurrent) ownTransaction = true;
  if (node === 'VacuumStmt' && body.is_vacuumcmd) ownTransaction = true;
  if (node === 'ReindexStmt' && JSON.stringify(body.params ?? []).includes('"concurrently"')) ownTransaction = true;
  if (node === 'ReindexStmt' && (body.kind === 'REINDEX_OBJECT_SYSTEM' || body.kind === 'REINDEX_OBJECT_DATABASE')) ownTransaction = true;
  if (node === 'DropStmt' && body.concurrent) ownTransaction = true;
  return {
    node,
    ownTransaction,
    transactionControl: node === 'TransactionStmt',
    copyFromStdin: node === 'CopyStmt' && body.is_from === true && !body.filename && !body.is_program,
    incomplete: false,
  };
}

/** Reads a script and the files it includes into statements (errors name file and line). */
export async function readScript(source: ScriptSource, options: ReadOptions): Promise<ParsedScript> {
  const out: ParsedScript = { file: source.display, statements: [], echoes: [] };
  await readInto(source, options, out, [], { quit: false });
  return out;
}

function metaError(file: string, line: number, problem: string, suggestion: string): CruddurError {
  return new CruddurError(`${file}:${line}: ${problem}`, { suggestion, code: 'DB_SCRIPT_META' });
}

const TRUE_WORDS = /^(on|true|1|yes|)$/i;

async function readInto(source: ScriptSource, options: ReadOptions, out: ParsedScript, stack: string[], state: { quit: boolean }): Promise<void> {
  let raw = source.sql;
  if (raw === undefined) {
    if (!source.path || !existsSync(source.path)) throw new CruddurError(`${source.display} does not exist`, { suggestion: 'check the path', code: 'DB_FILE_MISSING' });
    raw = await readFile(source.path, 'utf8');
  }
  const sql = normaliseText(raw);
  const file = source.display;
  const baseLine = source.firstLine ?? 1;
  const n = sql.length;
  let i = 0;
  let line = baseLine;
  let start = -1; // offset of the statement being accumulated
  let startLine = 0;
  let depth = 0;
  const advanceTo = (to: number) => {
    for (; i < to && i < n; i += 1) if (sql.charCodeAt(i) === 10) line += 1;
    i = to;
  };
  const begin = () => {
    if (start < 0) {
      start = i;
      startLine = line;
    }
  };
  while (i < n && !state.quit) {
    const c = sql[i] as string;
    const next = sql[i + 1];
    if (c === '\n' || c === ' ' || c === '\t' || c === '\f' || c === '\v') {
      advanceTo(i + 1);
      continue;
    }
    if (c === '-' && next === '-') {
      const nl = sql.indexOf('\n', i);
      advanceTo(nl < 0 ? n : nl);
      continue;
    }
    if (c === '/' && next === '*') {
      let d = 1;
      let j = i + 2;
      while (j < n && d > 0) {
        if (sql[j] === '/' && sql[j + 1] === '*') {
          d += 1;
          j += 2;
        } else if (sql[j] === '*' && sql[j + 1] === '/') {
          d -= 1;
          j += 2;
        } else j += 1;
      }
      advanceTo(j);
      continue;
    }
    if (c === '\\') {
      const nl = sql.indexOf('\n', i);
      const end = nl < 0 ? n : nl;
      const metaLine = line;
      const command = sql.slice(i + 1, end);
      advanceTo(end);
      await metaCommand(command, file, metaLine, source, options, out, stack, state);
      continue;
    }
    if (c === ';' && depth === 0) {
      if (start < 0) {
        advanceTo(i + 1); // an empty statement: psql sends nothing
        continue;
      }
      const text = sql.slice(start, i + 1);
      const parsed = await classify(text);
      if (parsed.incomplete && /\bbegin\s+atomic\b/i.test(text)) {
        advanceTo(i + 1);
        continue;
      }
      advanceTo(i + 1);
      const statement: ScriptStatement = {
        text,
        file,
        line: startLine,
        node: parsed.node,
        ownTransaction: parsed.ownTransaction,
        transactionControl: parsed.transactionControl,
      };
      out.statements.push(statement);
      start = -1;
      if (parsed.copyFromStdin) {
        // psql hands the following lines to COPY up to a line that is exactly `\.` (copy.c: handleCopyIn).
        const nl = sql.indexOf('\n', i);
        let dataStart = nl < 0 ? n : nl + 1;
        advanceTo(dataStart);
        let j = dataStart;
        let data = '';
        for (;;) {
          if (j >= n) {
            data = sql.slice(dataStart, n);
            advanceTo(n);
            break;
          }
          const eol = sql.indexOf('\n', j);
          const lineEnd = eol < 0 ? n : eol;
          if (sql.slice(j, lineEnd) === '\\.') {
            data = sql.slice(dataStart, j);
            advanceTo(eol < 0 ? n : eol + 1);
            break;
          }
          j = eol < 0 ? n : eol + 1;
        }
        statement.copyData = data;
        dataStart = 0;
      }
      continue;
    }
    begin();
    if (c === '(') depth += 1;
    else if (c === ')') depth = Math.max(0, depth - 1);
    if (c === "'") {
      const escapes = /[eE]/.test(sql[i - 1] ?? '') && !/[\w$]/.test(sql[i - 2] ?? '');
      advanceTo(skipQuoted(sql, i, "'", escapes));
      continue;
    }
    if (c === '"') {
      advanceTo(skipQuoted(sql, i, '"', false));
      continue;
    }
    if (c === '$' && !/[\w$]/.test(sql[i - 1] ?? '')) {
      const tag = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(sql.slice(i, i + 64));
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        advanceTo(close < 0 ? n : close + tag[0].length);
        continue;
      }
    }
    // An identifier or number: skip it whole so `$` and quotes inside words are not taken as openers.
    if (/[A-Za-z0-9_\u0080-\uffff]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_$\u0080-\uffff]/.test(sql[j] as string)) j += 1;
      if ((c === 'E' || c === 'e') && j === i + 1 && sql[j] === "'") {
        advanceTo(skipQuoted(sql, j, "'", true));
        continue;
      }
      advanceTo(j);
      continue;
    }
    advanceTo(i + 1);
  }
  if (start >= 0 && !state.quit) {
    // psql sends what is left at the end of the file without a `;`.
    const text = sql.slice(start).replace(/\s+$/, '');
    const parsed = await classify(text);
    out.statements.push({ text, file, line: startLine, node: parsed.node, ownTransaction: parsed.ownTransaction, transactionControl: parsed.transactionControl });
  }
}

function skipQuoted(sql: string, open: number, quote: string, backslashEscapes: boolean): number {
  let i = open + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (backslashEscapes && c === '\\') {
      i += 2;
      continue;
    }
    if (c === quote) {
      if (sql[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i += 1;
  }
  return sql.length;
}

/** psql's argument splitting for meta-commands: whitespace-separated, '..' quoted with '' for a quote. */
function metaArgs(text: string): string[] {
  const args: string[] = [];
  const re = /'((?:[^']|'')*)'|"((?:[^"]|"")*)"|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[1] !== undefined) args.push(m[1].replaceAll("''", "'"));
    else if (m[2] !== undefined) args.push(m[2].replaceAll('""', '"'));
    else args.push(m[3] as string);
  }
  return args;
}

async function metaCommand(
  command: string,
  file: string,
  line: number,
  source: ScriptSource,
  options: ReadOptions,
  out: ParsedScript,
  stack: string[],
  state: { quit: boolean },
): Promise<void> {
  const name = /^\S*/.exec(command)?.[0] ?? '';
  const rest = command.slice(name.length).trim();
  switch (name) {
    case 'restrict':
    case 'unrestrict':
      // pg_dump 17.6/16.10/15.14+: they only stop meta-commands inside data a hostile server could inject.
      return;
    case 'echo':
    case 'qecho':
    case 'warn':
      out.echoes.push(metaArgs(rest).join(' '));
      return;
    case 'set': {
      const [variable = '', ...values] = metaArgs(rest);
      if (variable === 'ON_ERROR_STOP') {
        if (TRUE_WORDS.test(values.join(''))) return;
        throw metaError(file, line, `\\set ON_ERROR_STOP ${values.join(' ')}: cruddur always stops at the first error`, 'remove the line (psql -v ON_ERROR_STOP=1 behaves the same)');
      }
      if (['ECHO', 'QUIET', 'VERBOSITY', 'SHOW_CONTEXT', 'ECHO_HIDDEN'].includes(variable)) return;
      throw metaError(file, line, `\\set ${variable}: psql variables are not supported`, 'write the value into the SQL, or run the file with `cruddur db connect -- -f <file>`');
    }
    case 'encoding': {
      if (rest === '' || /^(utf-?8|unicode)$/i.test(rest)) return;
      throw metaError(file, line, `\\encoding ${rest}: cruddur reads scripts as UTF-8`, 'convert the file to UTF-8 (e.g. `iconv -f LATIN1 -t UTF-8`) and remove the line');
    }
    case 'i':
    case 'include':
    case 'ir':
    case 'include_relative': {
      const [target] = metaArgs(rest);
      if (!target) throw metaError(file, line, `\\${name} needs a file name`, `write \\${name} <file>`);
      const relativeToFile = name === 'ir' || name === 'include_relative';
      const base = relativeToFile && source.path ? dirname(source.path) : options.cwd;
      const path = isAbsolute(target) ? target : resolve(base, target);
      if (!existsSync(path)) throw metaError(file, line, `\\${name} ${target}: ${path} does not exist`, relativeToFile ? 'the path is relative to this file' : `the path is relative to the working directory (${options.cwd}); \\ir is relative to the file`);
      if (stack.includes(path)) throw metaError(file, line, `\\${name} ${target} includes itself`, 'remove the circular include');
      const display = relative(options.displayRoot ?? options.cwd, path) || path;
      await readInto({ path, display: display.startsWith('..') ? path : display }, options, out, [...stack, ...(source.path ? [source.path] : []), path], state);
      return;
    }
    case 'c':
    case 'connect': {
      const args = metaArgs(rest).filter((a) => !a.startsWith('-reuse-previous'));
      const database = args[0];
      if (database === undefined || database === '-' || database === options.database) return;
      throw metaError(file, line, `\\${name} ${database}: the script switches to another database`, `split the file: load the part for "${database}" with --url pointing at that database`);
    }
    case 'q':
    case 'quit':
      state.quit = true;
      return;
    default:
      throw metaError(
        file,
        line,
        `psql meta-command \\${name} is not supported (${firstLine(command).slice(0, 60)})`,
        'remove it (cruddur runs SQL, \\i, \\ir, COPY FROM stdin, \\echo, \\restrict), or run the file with `cruddur db connect -- -f <file>`',
      );
  }
}

/** Line of the `position`-th character (1-based, as PostgreSQL reports it) of a statement (pure). */
export function lineOfPosition(statement: Pick<ScriptStatement, 'text' | 'line'>, position: number): number {
  let line = statement.line;
  const stop = Math.min(statement.text.length, Math.max(0, position - 1));
  for (let k = 0; k < stop; k += 1) if (statement.text.charCodeAt(k) === 10) line += 1;
  return line;
}
