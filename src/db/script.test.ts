import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../../test/support/postgres.js';
import { tempDir, type TempDir } from '../../test/support/tmp.js';
import { withClient } from './client.js';
import { parseTarget } from './connection.js';
import { normaliseText, readScript } from './script-reader.js';
import { runScript, sqlError, worthReplaying, type TransactionMode } from './script.js';

const read = (sql: string, extra: { cwd?: string; database?: string; path?: string } = {}) =>
  readScript({ sql, display: 'db/x.sql', path: extra.path }, { cwd: extra.cwd ?? '/nonexistent', database: extra.database });

describe('script reader (psql rules, PostgreSQL grammar)', () => {
  it('drops a BOM and reads CRLF/CR as LF', () => {
    expect(normaliseText('\uFEFFSELECT 1;\r\nSELECT 2;\rSELECT 3;')).toBe('SELECT 1;\nSELECT 2;\nSELECT 3;');
  });

  it.each<[string, string, string[]]>([
    ['semicolons in quotes, dollar quotes, E strings, nested comments', "SELECT ';';\nSELECT $a$ ; $a$;\nSELECT E'\\';';\n/* a /* ; */ ; */ SELECT \"x;\" FROM t;", ["SELECT ';';", 'SELECT $a$ ; $a$;', "SELECT E'\\';';", 'SELECT "x;" FROM t;']],
    ['a BEGIN ATOMIC body is one statement', 'CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT a + 1;\n  SELECT a;\nEND;\nSELECT f(1);', ['CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT a + 1;\n  SELECT a;\nEND;', 'SELECT f(1);']],
    ['a semicolon inside parentheses does not end the statement (psql)', 'SELECT (1;\n2);', ['SELECT (1;\n2);']],
    ['the last statement without a semicolon is sent', 'SELECT 1;\nSELECT 2', ['SELECT 1;', 'SELECT 2']],
    ['empty statements send nothing', ';;SELECT 1;;', ['SELECT 1;']],
    ['identifiers with $ are not dollar quotes', 'SELECT a$b$c FROM t;', ['SELECT a$b$c FROM t;']],
  ])('%s', async (_name, sql, texts) => {
    expect((await read(sql)).statements.map((s) => s.text)).toEqual(texts);
  });

  it('names the line of each statement, counting CRLF files right', async () => {
    const script = await read('\uFEFF-- header\r\n\r\nSELECT 1;\r\nSELECT\r\n 2;\r\n');
    expect(script.statements.map((s) => s.line)).toEqual([3, 4]);
  });

  it('handles the meta-commands that change nothing the server receives', async () => {
    const script = await read("\\restrict abc\n\\set ON_ERROR_STOP on\n\\encoding UTF8\n\\echo 'hello world'\n\\connect cruddur\nSELECT 1;\n\\unrestrict abc\n\\q\nSELECT 2;", { database: 'cruddur' });
    expect(script.statements.map((s) => s.text)).toEqual(['SELECT 1;']);
    expect(script.echoes).toEqual(['hello world']);
  });

  it.each<[string, string, RegExp]>([
    ['another meta-command', 'SELECT 1;\n\\pset format csv\n', /^db\/x\.sql:2: psql meta-command \\pset is not supported/],
    ['\\connect to another database', '\\connect other\n', /^db\/x\.sql:1: \\connect other: the script switches to another database/],
    ['psql variables', '\\set foo 1\n', /^db\/x\.sql:1: \\set foo: psql variables are not supported/],
    ['ON_ERROR_STOP off', '\\set ON_ERROR_STOP off\n', /cruddur always stops at the first error/],
    ['another encoding', '\\encoding LATIN1\n', /\\encoding LATIN1/],
    ['a missing include', '\n\\i nothere.sql\n', /^db\/x\.sql:2: \\i nothere\.sql: .*nothere\.sql does not exist/],
  ])('refuses %s with file and line', async (_name, sql, message) => {
    await expect(read(sql, { database: 'cruddur' })).rejects.toThrow(message);
  });

  it('takes COPY FROM stdin data up to \\. and classifies statements by the grammar', async () => {
    const script = await read(
      "COPY public.users (a, b) FROM stdin;\n1\ta\\tb\n2\t\\N\n\\.\nCREATE INDEX CONCURRENTLY i ON t (a);\nVACUUM ANALYZE t;\nALTER TYPE mood ADD VALUE 'x';\nBEGIN;\nCOPY t FROM stdin WITH (FORMAT csv);\n\"a\nb\",1\n",
    );
    const [copy, index, vacuum, alter, begin, csv] = script.statements;
    expect(copy?.copyData).toBe('1\ta\\tb\n2\t\\N\n');
    expect([index?.ownTransaction, vacuum?.ownTransaction, alter?.ownTransaction, begin?.transactionControl]).toEqual([true, true, true, true]);
    expect(index?.line).toBe(5);
    expect(csv?.copyData).toBe('"a\nb",1\n');
  });

  describe('includes', () => {
    let dir: TempDir;
    beforeAll(async () => {
      dir = await tempDir('cruddur-include-');
      await mkdir(join(dir.path, 'db', 'parts'), { recursive: true });
      await writeFile(join(dir.path, 'db', 'parts', 'a.sql'), 'SELECT 1;\n\\ir b.sql\n');
      await writeFile(join(dir.path, 'db', 'parts', 'b.sql'), '\nSELECT 2;\n');
      await writeFile(join(dir.path, 'db', 'loop.sql'), '\\ir loop.sql\n');
    });
    afterAll(async () => {
      await dir.cleanup();
    });

    it('\\i resolves against the working directory and \\ir against the file; statements keep their own file and line', async () => {
      const script = await read('\\i db/parts/a.sql\nSELECT 3;\n', { cwd: dir.path });
      expect(script.statements.map((s) => `${s.file}:${s.line} ${s.text}`)).toEqual(['db/parts/a.sql:1 SELECT 1;', 'db/parts/b.sql:2 SELECT 2;', 'db/x.sql:2 SELECT 3;']);
    });

    it('refuses a file that includes itself', async () => {
      await expect(readScript({ path: join(dir.path, 'db', 'loop.sql'), display: 'db/loop.sql' }, { cwd: dir.path })).rejects.toThrow(/includes itself/);
    });
  });
});

describe('script errors', () => {
  it('renders file:line, the message and the statement on one line, and says what was kept', () => {
    const statement = { text: 'INSERT INTO a\nVALUES (x);', file: 'db/seed.sql', line: 7, ownTransaction: false, transactionControl: false };
    const error = sqlError(statement, { message: 'column "x" does not exist', code: '42703', position: '23' }, 0, 'auto');
    expect(error.message).toBe('db/seed.sql:8: column "x" does not exist (in `INSERT INTO a`)');
    expect(error.suggestion).toBe('fix the SQL at db/seed.sql:8 and run again (nothing from this file was kept)');
    expect(sqlError(statement, { message: 'boom', code: 'XX000' }, 3, 'auto').suggestion).toMatch(/the 3 statements before it stay committed, as psql commits them/);
  });

  it.each<[string, unknown, boolean]>([
    ['a syntax error', { code: '42601' }, true],
    ['a unique violation', { code: '23505' }, true],
    ['cancelled (Ctrl-C, statement_timeout)', { code: '57014' }, false],
    ['a lost connection', { code: '08006' }, false],
    ['no SQLSTATE (socket closed)', new Error('Connection terminated unexpectedly'), false],
  ])('worth replaying %s: %s', (_name, error, expected) => {
    expect(worthReplaying(error)).toBe(expected);
  });
});

describe('running scripts as psql does (real PostgreSQL)', () => {
  let server: TestPostgres;
  beforeAll(async () => {
    server = await startTestPostgres();
  });
  afterAll(async () => {
    await server.stop();
  });

  async function load(sql: string, mode?: TransactionMode): Promise<{ db: string; error?: Error & { suggestion?: string } }> {
    const { name } = await server.createDatabase('script');
    const script = await read(sql, { database: name });
    const error = await withClient(parseTarget(server.url(name), 'CONNECTION_URL'), (c) => runScript(c, script, { mode })).then(
      () => undefined,
      (e: Error) => e,
    );
    return { db: name, error };
  }

  it('a file PostgreSQL refuses in one transaction loads (CONCURRENTLY, VACUUM, ADD VALUE then use)', async () => {
    const { db, error } = await load(
      "CREATE TYPE mood AS ENUM ('happy');\nCREATE TABLE a (id serial, m mood);\nCREATE INDEX CONCURRENTLY a_id ON a (id);\nVACUUM ANALYZE a;\nALTER TYPE mood ADD VALUE 'excited';\nINSERT INTO a (m) VALUES ('excited');\n",
    );
    expect(error).toBeUndefined();
    expect(await server.query(db, 'SELECT m::text FROM a')).toEqual([{ m: 'excited' }]);
    expect(await server.query(db, "SELECT indexname FROM pg_indexes WHERE tablename = 'a'")).toEqual([{ indexname: 'a_id' }]);
  });

  it('by default an error keeps what psql keeps and says so; --single-transaction keeps nothing', async () => {
    const sql = "CREATE TABLE a (id int);\nINSERT INTO a VALUES (1);\nINSERT INTO a VALUES ('x');\nINSERT INTO a VALUES (2);\n";
    const auto = await load(sql);
    expect(auto.error?.message).toBe('db/x.sql:3: invalid input syntax for type integer: "x" (in `INSERT INTO a VALUES (\'x\');`)');
    expect(auto.error?.suggestion).toMatch(/the 2 statements before it stay committed/);
    expect(await server.query(auto.db, 'SELECT id FROM a')).toEqual([{ id: 1 }]);
    const single = await load(sql, 'single');
    expect(single.error?.message).toBe(auto.error?.message);
    expect(single.error?.suggestion).toMatch(/nothing from this file was kept/);
    expect(await server.query(single.db, "SELECT to_regclass('public.a') AS t")).toEqual([{ t: null }]);
  });

  it('--single-transaction fails with PostgreSQL reason for a statement it refuses there', async () => {
    const { error } = await load('CREATE TABLE a (id int);\nCREATE INDEX CONCURRENTLY a_id ON a (id);\n', 'single');
    expect(error?.message).toMatch(/^db\/x\.sql:2: CREATE INDEX CONCURRENTLY cannot run inside a transaction block/);
  });

  it('a file with its own BEGIN/ROLLBACK runs as psql runs it', async () => {
    const { db, error } = await load('CREATE TABLE a (id int);\nBEGIN;\nINSERT INTO a VALUES (1);\nROLLBACK;\nINSERT INTO a VALUES (2);\n');
    expect(error).toBeUndefined();
    expect(await server.query(db, 'SELECT id FROM a')).toEqual([{ id: 2 }]);
  });

  it('streams COPY data and names the data line of a bad row', async () => {
    const ok = await load('CREATE TABLE u (n text, h text);\nCOPY u (n, h) FROM stdin;\ntab\\there\t\\N\nback\\\\slash\tü\n\\.\n');
    expect(ok.error).toBeUndefined();
    expect(await server.query(ok.db, 'SELECT n, h FROM u ORDER BY n')).toEqual([
      { n: 'back\\slash', h: 'ü' },
      { n: 'tab\there', h: null },
    ]);
    const bad = await load('CREATE TABLE u (n int);\nCOPY u FROM stdin;\n1\nx\n\\.\n');
    expect(bad.error?.message).toMatch(/^db\/x\.sql:4: invalid input syntax for type integer: "x"/);
  });

  it('points at the exact line of a syntax error inside a batch', async () => {
    const { error } = await load('CREATE TABLE a (id int);\nSELECT 1;\nSELECT\n  1 +\n  FROM a WHERE;\n', 'single');
    expect(error?.message).toMatch(/^db\/x\.sql:5: syntax error at or near "FROM" \(in `SELECT`\)$/);
  });
});
