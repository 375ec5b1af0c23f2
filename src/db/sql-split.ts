/** One statement of an SQL script, located in the script so errors can name a line. */
export interface SqlStatement {
  /** Offset of the statement's first significant character (after comments and blanks). */
  start: number;
  /** Offset just past its terminating `;` (or the end of the script). */
  end: number;
  text: string;
}

/**
 * Splits an SQL script on top-level semicolons, skipping quotes ('..', E'..', ".."), dollar quotes
 * ($$..$$, $tag$..$tag$) and comments (--, nested /* *\/). Only used to locate statements and to run
 * them one by one when diagnosing an error; the script itself is sent whole.
 */
export function splitStatements(sql: string): SqlStatement[] {
  const out: SqlStatement[] = [];
  let start = -1;
  let i = 0;
  const push = (end: number) => {
    if (start >= 0) out.push({ start, end, text: sql.slice(start, end).trim() });
    start = -1;
  };
  while (i < sql.length) {
    const c = sql[i] as string;
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl + 1;
      continue;
    }
    if (c === '/' && next === '*') {
      let depth = 1;
      i += 2;
      while (i < sql.length && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') {
          depth += 1;
          i += 2;
        } else if (sql[i] === '*' && sql[i + 1] === '/') {
          depth -= 1;
          i += 2;
        } else i += 1;
      }
      continue;
    }
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    if (c === ';') {
      if (start >= 0) push(i + 1);
      i += 1;
      continue;
    }
    if (start < 0) start = i;
    if (c === "'") {
      const escapes = i > 0 && /[eE]/.test(sql[i - 1] ?? '') && !/[\w$]/.test(sql[i - 2] ?? '');
      i = skipQuoted(sql, i, "'", escapes);
      continue;
    }
    if (c === '"') {
      i = skipQuoted(sql, i, '"', false);
      continue;
    }
    if (c === '$') {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (tag && !/[\w]/.test(sql[i - 1] ?? '')) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        i = close < 0 ? sql.length : close + tag[0].length;
        continue;
      }
    }
    i += 1;
  }
  push(sql.length);
  return out;
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

/** 1-based line of an offset. */
export function lineAt(sql: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < sql.length; i += 1) if (sql[i] === '\n') line += 1;
  return line;
}

/** The statement containing an offset (or the last one before it). */
export function statementAt(statements: SqlStatement[], offset: number): SqlStatement | undefined {
  let found: SqlStatement | undefined;
  for (const s of statements) {
    if (s.start <= offset) found = s;
    else break;
  }
  return found;
}

const NO_TRANSACTION = [
  /^(CREATE|DROP)\s+DATABASE\b/i,
  /^(CREATE|DROP)\s+TABLESPACE\b/i,
  /^(CREATE|DROP)\s+(UNIQUE\s+)?INDEX\s+CONCURRENTLY\b/i,
  /^REINDEX\b.*\bCONCURRENTLY\b/is,
  /^VACUUM\b/i,
  /^ALTER\s+SYSTEM\b/i,
  /^(BEGIN|COMMIT|ROLLBACK|START\s+TRANSACTION|END)\b\s*(TRANSACTION|WORK)?\s*;?$/i,
];

/** Why a script cannot run inside one transaction (a statement PostgreSQL refuses there, or its own BEGIN/COMMIT). */
export function noTransactionReason(statements: SqlStatement[]): string | undefined {
  for (const s of statements) {
    if (NO_TRANSACTION.some((re) => re.test(s.text))) return s.text.split('\n', 1)[0];
  }
  return undefined;
}
