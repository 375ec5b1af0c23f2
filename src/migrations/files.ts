import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CruddurError } from '../core/errors.js';
import { decodeSqlBytes, normaliseText } from '../db/script-reader.js';

/** A migration file, parsed: dbmate-style `.sql` or the bootcamp's Python class with migrate_sql()/rollback_sql(). */
export interface Migration {
  version: string;
  name: string;
  /** File name inside the migrations folder. */
  file: string;
  /** Path as shown to the user (relative to the project root). */
  display: string;
  format: 'sql' | 'py';
  up: string;
  /** Line of the file where the up SQL starts. */
  upLine: number;
  down: string;
  downLine: number;
  /** `-- migrate:up transaction:false` runs the section outside a transaction. */
  transaction: boolean;
  /** sha256 of the file's bytes. */
  checksum: string;
}

export const MIGRATION_FILE = /^(\d+)_(.+)\.(sql|py)$/;

export function checksumOf(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

interface Section {
  sql: string;
  line: number;
  options: string;
}

/** Splits a dbmate-style file into its `-- migrate:up` / `-- migrate:down` sections (pure). */
export function parseSqlMigration(content: string, display: string): { up: Section; down: Section } {
  const lines = content.split('\n');
  const marks: Array<{ kind: 'up' | 'down'; index: number; options: string }> = [];
  lines.forEach((line, index) => {
    const m = /^\s*--\s*migrate:(up|down)\b(.*)$/.exec(line);
    if (m) marks.push({ kind: m[1] as 'up' | 'down', index, options: (m[2] ?? '').trim() });
  });
  const upMark = marks.find((m) => m.kind === 'up');
  if (!upMark) {
    throw new CruddurError(`${display} has no "-- migrate:up" line`, {
      suggestion: 'start the file with "-- migrate:up", the SQL, then "-- migrate:down" and the SQL that undoes it',
      code: 'MIGRATION_INVALID',
    });
  }
  const section = (kind: 'up' | 'down'): Section => {
    const mark = marks.find((m) => m.kind === kind);
    if (!mark) return { sql: '', line: lines.length + 1, options: '' };
    const nextMark = marks.find((m) => m.index > mark.index);
    const body = lines.slice(mark.index + 1, nextMark ? nextMark.index : lines.length);
    return { sql: body.join('\n'), line: mark.index + 2, options: mark.options };
  };
  return { up: section('up'), down: section('down') };
}

/**
 * Extracts the SQL a bootcamp Python migration returns from `def <fn>():` — the first triple-quoted
 * string in the function's body (pure; Python is never run).
 */
export function extractPythonSql(content: string, fn: 'migrate_sql' | 'rollback_sql'): { sql: string; line: number } | undefined {
  const def = new RegExp(`^[ \\t]*def[ \\t]+${fn}[ \\t]*\\(`, 'm').exec(content);
  if (!def) return undefined;
  const after = def.index + def[0].length;
  const nextDef = /^[ \t]*(def|class)[ \t]/m.exec(content.slice(after));
  const bodyEnd = nextDef ? after + nextDef.index : content.length;
  const body = content.slice(after, bodyEnd);
  const open = /[rRuU]?("""|''')/.exec(body);
  if (!open) return undefined;
  const quote = open[1] as string;
  const start = after + open.index + open[0].length;
  const close = content.indexOf(quote, start);
  if (close < 0 || close > bodyEnd) return undefined;
  return { sql: content.slice(start, close), line: content.slice(0, start).split('\n').length };
}

/**
 * Parses a migration file; the checksum is of the bytes as written, the SQL read as every script is
 * (decodeSqlBytes: UTF-8 only, UTF-16 refused with one line) without BOM and with LF endings.
 */
export function parseMigration(file: string, bytes: string | Uint8Array, display: string): Migration {
  const raw = typeof bytes === 'string' ? bytes : decodeSqlBytes(bytes, display);
  const content = normaliseText(raw);
  const match = MIGRATION_FILE.exec(file);
  if (!match) {
    throw new CruddurError(`${display} is not named <digits>_<name>.sql`, { suggestion: 'rename it, e.g. 20260101120000_add_bio.sql', code: 'MIGRATION_INVALID' });
  }
  const [, version = '', name = '', ext] = match;
  const base = { version, name, file, display, checksum: checksumOf(bytes) };
  if (ext === 'py') {
    const up = extractPythonSql(content, 'migrate_sql');
    if (!up) {
      throw new CruddurError(`${display}: no SQL found in migrate_sql() (expected a triple-quoted string)`, {
        suggestion: 'make migrate_sql() return the SQL in """triple quotes""", or rewrite it as a .sql migration',
        code: 'MIGRATION_INVALID',
      });
    }
    const down = extractPythonSql(content, 'rollback_sql');
    return { ...base, format: 'py', up: up.sql, upLine: up.line, down: down?.sql ?? '', downLine: down?.line ?? 1, transaction: true };
  }
  const { up, down } = parseSqlMigration(content, display);
  return { ...base, format: 'sql', up: up.sql, upLine: up.line, down: down.sql, downLine: down.line, transaction: !/\btransaction:false\b/.test(up.options) };
}

/**
 * When a version happened, in ms since the epoch: `yyyymmddhhmmss` (dbmate, `db migration new`) or the
 * bootcamp's `str(time.time()).replace('.', '')` (10 digits of seconds, then a fraction). Undefined when neither.
 */
export function versionInstant(version: string): number | undefined {
  if (!/^\d+$/.test(version)) return undefined;
  const ymd = /^((?:19|2\d)\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)$/.exec(version);
  if (ymd) {
    const [y, mo, d, h, mi, s] = ymd.slice(1).map(Number) as [number, number, number, number, number, number];
    const ms = Date.UTC(y, mo - 1, d, h, mi, s);
    const back = new Date(ms);
    if (back.getUTCMonth() === mo - 1 && back.getUTCDate() === d && h < 24 && mi < 60 && s < 60 && y >= 1970) return ms;
  }
  if (version.length >= 10) {
    const seconds = Number(version.slice(0, 10));
    const fraction = version.slice(10, 13).padEnd(3, '0');
    return seconds * 1000 + Number(fraction);
  }
  return undefined;
}

/** Migration order: by instant when both versions have one, else numerically, then by name (pure). */
export function compareVersions(a: string, b: string): number {
  const ia = versionInstant(a);
  const ib = versionInstant(b);
  if (ia !== undefined && ib !== undefined && ia !== ib) return ia < ib ? -1 : 1;
  const na = BigInt(a);
  const nb = BigInt(b);
  if (na !== nb) return na < nb ? -1 : 1;
  return 0;
}

/** Every migration in the folder, ordered; other files are ignored. A missing folder is an empty list. */
export async function loadMigrations(dir: string, displayDir: string): Promise<Migration[]> {
  if (!existsSync(dir)) return [];
  const files = (await readdir(dir)).filter((f) => MIGRATION_FILE.test(f));
  const migrations = await Promise.all(files.map(async (file) => parseMigration(file, await readFile(join(dir, file)), `${displayDir}/${file}`)));
  migrations.sort((a, b) => compareVersions(a.version, b.version) || a.file.localeCompare(b.file));
  const seen = new Map<string, string>();
  for (const m of migrations) {
    const other = seen.get(m.version);
    if (other) {
      throw new CruddurError(`Two migrations share version ${m.version}: ${other} and ${m.file}`, {
        suggestion: 'rename one of them with a new timestamp (`cruddur db migration new` makes unique ones)',
        code: 'MIGRATION_DUPLICATE',
      });
    }
    seen.set(m.version, m.file);
  }
  return migrations;
}
