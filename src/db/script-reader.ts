import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { CruddurError, firstLine } from '../core/errors.js';

/**
 * The psql-compatible script reader: turns an SQL file as `psql -f` reads it into the statements the server
 * receives, each with its file and line. The rules come from psql (src/bin/psql/psqlscan.l, mainloop.c,
 * copy.c) and statement boundaries are confirmed by PostgreSQL's own grammar (libpg-query):
 * - files are UTF-8 (decodeSqlBytes refuses UTF-16/32 and invalid bytes with one line naming the encoding); a UTF-8
 *   byte-order mark is dropped and CRLF/CR line endings read as LF;
 * - a statement ends at a `;` outside quotes ('', E'', "", $tag$), comments (--, nested block comments) and
 *   parentheses, unless the grammar says it is not complete yet (a `BEGIN ATOMIC ... END` function body); the
 *   psql differential corpus (test/db/psql-differential.test.ts) proves these boundaries equal to psql's;
 * - a backslash outside quotes starts a meta-command that runs to the end of its line and never reaches the
 *   server: `\restrict`/`\unrestrict`, `\echo`/`\qecho`/`\warn`, `\set ON_ERROR_STOP`, `\encoding` when the
 *   bytes that follow mean the same as UTF-8 (checkUnderEncoding), `\i`/`\include` (relative to the working
 *   directory), `\ir`/`\include_relative` (relative to the file), `\c`/`\connect` in any of psql's forms
 *   (parseConnect: pg_dump writes `\connect -reuse-previous=on "dbname='my-app'"`) to the database and user in use,
 *   and `\q` are handled; any other is an error naming file and line;
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
  /** For transaction control: the grammar's kind (TRANS_STMT_BEGIN, TRANS_STMT_COMMIT, TRANS_STMT_ROLLBACK_TO...) and savepoint. */
  transaction?: { kind: string; savepoint?: string };
}

export interface ParsedScript {
  /** The top file as shown to the user. */
  file: string;
  statements: ScriptStatement[];
  /** Text of `\echo`, `\qecho` and `\warn`, in order (psql prints them). */
  echoes: string[];
  /**
   * Set when `\encoding SQL_ASCII` precedes non-ASCII text: psql then sends the bytes unconverted, which means the
   * same as cruddur's UTF-8 only on a UTF8 or SQL_ASCII database (runScript checks server_encoding first).
   */
  rawBytes?: { file: string; line: number };
}

export interface ReadOptions {
  /** Directory `\i` resolves against (psql: the working directory). */
  cwd: string;
  /** The database the script runs on, for `\connect` (same one: ignored; another: refused). */
  database?: string;
  /** The session's user, host and port, for a `\connect` that names them (the same: ignored; others: refused). */
  session?: { user?: string; host?: string; port?: number };
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
  transaction?: { kind: string; savepoint?: string };
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
    ...(node === 'TransactionStmt' ? { transaction: { kind: String(body.kind), ...(typeof body.savepoint_name === 'string' ? { savepoint: body.savepoint_name } : {}) } } : {}),
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

/** What a reader carries across files: psql's \q, and a client encoding set by `\encoding`. */
interface ReaderState {
  quit: boolean;
  encoding?: { name: string; file: string; line: number };
}

function metaError(file: string, line: number, problem: string, suggestion: string): CruddurError {
  return new CruddurError(`${file}:${line}: ${problem}`, { suggestion, code: 'DB_SCRIPT_META' });
}

const TRUE_WORDS = /^(on|true|1|yes|)$/i;

async function readInto(source: ScriptSource, options: ReadOptions, out: ParsedScript, stack: string[], state: ReaderState): Promise<void> {
  let raw = source.sql;
  if (raw === undefined) {
    if (!source.path || !existsSync(source.path)) throw new CruddurError(`${source.display} does not exist`, { suggestion: 'check the path', code: 'DB_FILE_MISSING' });
    raw = decodeSqlBytes(await readFile(source.path), source.display);
  }
  const sql = normaliseText(raw);
  const file = source.display;
  const baseLine = source.firstLine ?? 1;
  if (state.encoding) checkUnderEncoding(sql, file, baseLine, state.encoding, out);
  const n = sql.length;
  let i = 0;
  let line = baseLine;
  let start = -1; // offset of the statement being accumulated
  let startLine = 0;
  /** The statement that starts at `startLine`, as the runner sends it. */
  const statementOf = (text: string, parsed: ParsedNode): ScriptStatement => ({
    text,
    file,
    line: startLine,
    node: parsed.node,
    ownTransaction: parsed.ownTransaction,
    transactionControl: parsed.transactionControl,
    ...(parsed.transaction ? { transaction: parsed.transaction } : {}),
  });
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
      await metaCommand(command, file, metaLine, source, options, out, stack, state, { text: sql.slice(end), line: metaLine });
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
      const statement = statementOf(text, parsed);
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
    out.statements.push(statementOf(text, await classify(text)));
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
  state: ReaderState,
  after: { text: string; line: number },
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
      const [encoding = ''] = metaArgs(rest);
      if (encoding === '' || isUtf8Name(encoding)) {
        // No argument prints the encoding; UTF8 is what cruddur sends.
        state.encoding = undefined;
        return;
      }
      if (!POSTGRES_ENCODINGS.has(cleanEncodingName(encoding))) {
        throw metaError(file, line, `\\encoding ${encoding}: invalid encoding name (psql refuses it too)`, 'use a PostgreSQL encoding name (UTF8, SQL_ASCII, LATIN1...), or remove the line');
      }
      state.encoding = { name: encoding, file, line };
      checkUnderEncoding(after.text, file, after.line, state.encoding, out);
      return;
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
      const request = parseConnect(metaArgs(rest), file, line, name);
      const problem = connectProblem(request, options);
      if (!problem) return;
      throw metaError(file, line, `\\${name} ${rest}: ${problem}`, request.dbname && request.dbname !== options.database ? `split the file: load the part for "${request.dbname}" with --url pointing at that database` : 'remove the line, or split the file and load each part with its own --url');
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

/** Line (1-based) of byte `offset` in `bytes`. */
function lineOfByte(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let k = 0; k < offset && k < bytes.length; k += 1) if (bytes[k] === 10) line += 1;
  return line;
}

/** Offset of the first byte that is not part of a valid UTF-8 sequence, or -1 (RFC 3629: no overlongs, no surrogates). */
function invalidUtf8At(bytes: Uint8Array): number {
  let k = 0;
  while (k < bytes.length) {
    const b = bytes[k] as number;
    if (b < 0x80) {
      k += 1;
      continue;
    }
    let need = 0;
    let min = 0;
    if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return k;
    let cp = b & (0x3f >> need);
    for (let j = 1; j <= need; j += 1) {
      const c = bytes[k + j];
      if (c === undefined || (c & 0xc0) !== 0x80) return k;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return k;
    k += need + 1;
  }
  return -1;
}

/** Validates while decoding (native, fast); keeps a UTF-8 byte-order mark for normaliseText to drop. */
const UTF8_STRICT = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The text of an SQL file's bytes, read as psql reads a UTF-8 database's scripts (pure). A file that is not UTF-8
 * is refused with one line naming its encoding instead of reaching the server as garbage (psql sends the bytes and
 * PostgreSQL fails with `invalid byte sequence for encoding "UTF8"`):
 * - a UTF-32 or UTF-16 byte-order mark (FF FE 00 00 / 00 00 FE FF, FF FE / FE FF), as PowerShell's
 *   `pg_dump > schema.sql` writes (UTF-16 LE with a BOM), names that encoding;
 * - NUL bytes (never valid in PostgreSQL text) mean UTF-16 without a BOM (LE when they follow ASCII bytes);
 * - any other invalid UTF-8 names the line of the first bad byte.
 * Every script cruddur runs (schema, seed, migrations, `\i` includes) is read through here.
 * @throws CruddurError DB_SCRIPT_ENCODING with a `Try:` line (`iconv ... -t UTF-8`, or `pg_dump -f`).
 */
export function decodeSqlBytes(bytes: Uint8Array, display: string): string {
  const [b0, b1, b2, b3] = bytes;
  const convert = (from: string, how: string) => `convert it: \`iconv -f ${from} -t UTF-8 ${display} > ${display}.utf8 && mv ${display}.utf8 ${display}\`${how}`;
  const pgDumpHint = ' (PowerShell\'s `>` writes UTF-16: run `pg_dump -f schema.sql` instead)';
  const refuse = (problem: string, suggestion: string) => new CruddurError(`${display}: ${problem}; cruddur reads SQL scripts as UTF-8`, { suggestion, code: 'DB_SCRIPT_ENCODING' });
  if (b0 === 0xff && b1 === 0xfe && b2 === 0 && b3 === 0) throw refuse('the file is UTF-32 LE text (it starts with a UTF-32 byte-order mark)', convert('UTF-32', ''));
  if (b0 === 0 && b1 === 0 && b2 === 0xfe && b3 === 0xff) throw refuse('the file is UTF-32 BE text (it starts with a UTF-32 byte-order mark)', convert('UTF-32', ''));
  if (b0 === 0xff && b1 === 0xfe) throw refuse('the file is UTF-16 LE text (it starts with a UTF-16 byte-order mark)', convert('UTF-16', pgDumpHint));
  if (b0 === 0xfe && b1 === 0xff) throw refuse('the file is UTF-16 BE text (it starts with a UTF-16 byte-order mark)', convert('UTF-16', pgDumpHint));
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    const little = nul % 2 === 1;
    throw refuse(`line ${lineOfByte(bytes, nul)} has NUL bytes: the file looks like UTF-16 ${little ? 'LE' : 'BE'} text without a byte-order mark`, convert(little ? 'UTF-16LE' : 'UTF-16BE', pgDumpHint));
  }
  try {
    // The native decoder checks validity fast; the byte-by-byte scan only finds where a bad file goes wrong.
    return UTF8_STRICT.decode(bytes);
  } catch {
    // reported below
  }
  const bad = Math.max(0, invalidUtf8At(bytes));
  const byte = (bytes[bad] as number).toString(16).toUpperCase().padStart(2, '0');
  throw new CruddurError(`${display}:${lineOfByte(bytes, bad)}: byte 0x${byte} is not valid UTF-8; cruddur reads SQL scripts as UTF-8`, {
    suggestion: `${convert('LATIN1', '')} (use the encoding the file was written in; then drop any \\encoding line)`,
    code: 'DB_SCRIPT_ENCODING',
  });
}

/** PostgreSQL's name cleaning for encodings (encnames.c: clean_encoding_name): alphanumerics only, lower case. */
function cleanEncodingName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function isUtf8Name(name: string): boolean {
  return ['utf8', 'unicode'].includes(cleanEncodingName(name));
}

/** Every client encoding name PostgreSQL accepts, cleaned (src/common/encnames.c, pg_encname_tbl). */
const POSTGRES_ENCODINGS = new Set(
  (
    'abc alt big5 euccn eucjis2004 eucjp euckr euctw gb18030 gbk iso88591 iso885910 iso885913 iso885914 iso885915 iso885916 ' +
    'iso88592 iso88593 iso88594 iso88595 iso88596 iso88597 iso88598 iso88599 johab koi8 koi8r koi8u latin1 latin10 latin2 latin3 ' +
    'latin4 latin5 latin6 latin7 latin8 latin9 mskanji muleinternal shiftjis shiftjis2004 sjis sqlascii tcvn tcvn5712 uhc unicode ' +
    'utf8 vscii win win1250 win1251 win1252 win1253 win1254 win1255 win1256 win1257 win1258 win866 win874 win932 win936 win949 ' +
    'win950 windows1250 windows1251 windows1252 windows1253 windows1254 windows1255 windows1256 windows1257 windows1258 windows866 ' +
    'windows874 windows932 windows936 windows949 windows950'
  ).split(' '),
);

/**
 * `\encoding X` (psql: PQsetClientEncoding) makes the server read the following bytes as X; cruddur sends the
 * file's UTF-8. The two mean the same when the text after the line is ASCII (every client encoding PostgreSQL
 * supports is an ASCII superset), or for SQL_ASCII (no conversion at all) when the database is UTF8 or SQL_ASCII:
 * such text is accepted (SQL_ASCII's condition is left to runScript, which knows the database). Anything else is
 * refused, since its bytes would mean other characters than cruddur reads.
 */
function checkUnderEncoding(text: string, file: string, firstLineNo: number, encoding: { name: string; file: string; line: number }, out: ParsedScript): void {
  const nonAscii = text.search(/[^\x00-\x7f]/);
  if (nonAscii < 0) return;
  if (cleanEncodingName(encoding.name) === 'sqlascii') {
    out.rawBytes ??= { file: encoding.file, line: encoding.line };
    return;
  }
  let line = firstLineNo;
  for (let k = 0; k < nonAscii; k += 1) if (text.charCodeAt(k) === 10) line += 1;
  throw metaError(
    encoding.file,
    encoding.line,
    `\\encoding ${encoding.name}: ${file}:${line} has non-ASCII text, which cruddur reads as UTF-8 but psql would read as ${encoding.name}`,
    `convert the file to UTF-8 (\`iconv -f ${encoding.name} -t UTF-8\`) and remove the \\encoding line`,
  );
}

/** A `\connect` as psql reads it (command.c: exec_command_connect, do_connect). */
export interface ConnectRequest {
  /** `-reuse-previous=on|off`; psql's default reuses the session's settings except for a connection string. */
  reusePrevious: boolean;
  dbname?: string;
  user?: string;
  host?: string;
  port?: string;
  /** The first argument was a connection string (`dbname=x ...` or a postgres:// URL). */
  conninfo: boolean;
}

/**
 * libpq's connection-string syntax (conninfo_parse): `key=value` pairs split by whitespace, values unquoted or in
 * single quotes, backslash escaping the next character; or a `postgresql://` / `postgres://` URL, whose path is
 * the database and whose query string adds parameters (pure). Returns undefined when it cannot be read.
 */
export function parseConninfo(text: string): Record<string, string> | undefined {
  if (/^postgres(ql)?:\/\//i.test(text)) {
    let url: URL;
    try {
      url = new URL(text.replace(/^postgres(ql)?:/i, 'http:'));
    } catch {
      return undefined;
    }
    const out: Record<string, string> = {};
    if (url.hostname) out.host = decodeURIComponent(url.hostname.replace(/^\[|\]$/g, ''));
    if (url.port) out.port = url.port;
    if (url.username) out.user = decodeURIComponent(url.username);
    const path = decodeURIComponent(url.pathname.replace(/^\//, ''));
    if (path) out.dbname = path;
    for (const [key, value] of url.searchParams) out[key] = value;
    return out;
  }
  const out: Record<string, string> = {};
  let k = 0;
  const n = text.length;
  while (k < n) {
    while (k < n && /\s/.test(text[k] as string)) k += 1;
    if (k >= n) break;
    const eq = text.indexOf('=', k);
    if (eq < 0) return undefined;
    const key = text.slice(k, eq).trim();
    if (!key || /\s/.test(key)) return undefined;
    k = eq + 1;
    while (k < n && /\s/.test(text[k] as string)) k += 1;
    let value = '';
    if (text[k] === "'") {
      k += 1;
      for (;;) {
        if (k >= n) return undefined; // unterminated quoted string
        const c = text[k] as string;
        if (c === '\\' && k + 1 < n) {
          value += text[k + 1];
          k += 2;
        } else if (c === "'") {
          k += 1;
          break;
        } else {
          value += c;
          k += 1;
        }
      }
    } else {
      while (k < n && !/\s/.test(text[k] as string)) {
        if (text[k] === '\\' && k + 1 < n) {
          value += text[k + 1];
          k += 2;
        } else {
          value += text[k];
          k += 1;
        }
      }
    }
    out[key] = value;
  }
  return out;
}

/**
 * Reads `\connect [-reuse-previous=on|off] [dbname [user] [host] [port]] | conninfo` as psql 15 does: `-` or an
 * empty argument keeps the session's value, a first argument with `=` or a postgres:// prefix is a connection
 * string (and then user/host/port may not follow), `-reuse-previous` takes psql's booleans.
 */
function parseConnect(args: string[], file: string, line: number, name: string): ConnectRequest {
  const rest = [...args];
  let reuse: boolean | undefined;
  if (rest[0]?.startsWith('-reuse-previous=')) {
    const value = (rest.shift() as string).slice('-reuse-previous='.length);
    if (/^(on|true|yes|1|t|y)$/i.test(value)) reuse = true;
    else if (/^(off|false|no|0|f|n)$/i.test(value)) reuse = false;
    else throw metaError(file, line, `\\${name}: unrecognized value "${value}" for "-reuse-previous": Boolean expected`, 'write -reuse-previous=on or -reuse-previous=off');
  }
  const arg = (k: number) => {
    const v = rest[k];
    return v === undefined || v === '' || v === '-' ? undefined : v;
  };
  const first = arg(0);
  if (first !== undefined && (first.includes('=') || /^postgres(ql)?:\/\//i.test(first))) {
    if (arg(1) || arg(2) || arg(3)) throw metaError(file, line, `\\${name}: do not give user, host, or port separately when using a connection string (psql refuses it too)`, 'put them in the connection string');
    const info = parseConninfo(first);
    if (!info) throw metaError(file, line, `\\${name}: cannot read the connection string ${first}`, "write it as dbname='name' or postgresql://host/name");
    return { reusePrevious: reuse ?? false, conninfo: true, dbname: info.dbname, user: info.user, host: info.host ?? info.hostaddr, port: info.port };
  }
  return { reusePrevious: reuse ?? true, conninfo: false, dbname: first, user: arg(1), host: arg(2), port: arg(3) };
}

/** Why a `\connect` is not a reconnection to the session's own database and user, or undefined when it is (pure). */
function connectProblem(request: ConnectRequest, options: ReadOptions): string | undefined {
  const session = options.session ?? {};
  if (request.dbname === undefined && !request.reusePrevious) {
    return 'it names no database and does not reuse the current one (libpq would pick its default)';
  }
  if (request.dbname !== undefined && request.dbname !== options.database) return 'the script switches to another database';
  if (request.user !== undefined && request.user !== session.user) return `the script switches to user "${request.user}"`;
  if (request.host !== undefined && request.host !== session.host) return `the script switches to host "${request.host}"`;
  if (request.port !== undefined && request.port !== String(session.port)) return `the script switches to port ${request.port}`;
  return undefined;
}
