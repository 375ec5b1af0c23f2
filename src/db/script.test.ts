import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../../test/support/postgres.js';
import { tempDir, type TempDir } from '../../test/support/tmp.js';
import { withClient } from './client.js';
import { parseTarget } from './connection.js';
import { decodeSqlBytes, normaliseText, readScript } from './script-reader.js';
import { keptNote, runScript, sqlError, worthReplaying, type Kept, type TransactionMode } from './script.js';

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
    ['another encoding before non-ASCII text', "\\encoding LATIN1\nSELECT 'é';\n", /\\encoding LATIN1/],
    ['a missing include', '\n\\i nothere.sql\n', /^db\/x\.sql:2: \\i nothere\.sql: .*nothere\.sql does not exist/],
  ])('refuses %s with file and line', async (_name, sql, message) => {
    await expect(read(sql, { database: 'cruddur' })).rejects.toThrow(message);
  });

  it.each<[string, string]>([
    ['pg_dump\'s form for a name that is not a plain identifier', `\\connect -reuse-previous=on "dbname='my-app'"`],
    ['reuse off with a conninfo string', `\\connect -reuse-previous=off "dbname='my-app'"`],
    ['a conninfo string without the option', "\\c 'dbname=my-app'"],
    ['a URL', '\\connect postgresql://app@db.example:5432/my-app'],
    ['a quoted positional name with the same user, host and port', '\\c "my-app" app db.example 5432'],
    ['- keeps the session value', '\\c - - - -'],
    ['no argument', '\\connect'],
    ['a conninfo string naming no database, reusing the session', '\\connect -reuse-previous=on "port=5432"'],
  ])('\\connect to the database in use is a no-op: %s', async (_name, line) => {
    const script = await readScript({ sql: `${line}\nSELECT 1;\n`, display: 'db/x.sql' }, { cwd: '/nonexistent', database: 'my-app', session: { user: 'app', host: 'db.example', port: 5432 } });
    expect(script.statements.map((s) => s.text)).toEqual(['SELECT 1;']);
  });

  it.each<[string, string, RegExp]>([
    ['another database by conninfo', `\\connect -reuse-previous=on "dbname='other'"`, /: the script switches to another database$/],
    ['another database by URL', '\\connect postgresql://db.example/other', /: the script switches to another database$/],
    ['another user', '\\c my-app admin', /: the script switches to user "admin"$/],
    ['another host', '\\c my-app - elsewhere', /: the script switches to host "elsewhere"$/],
    ['a conninfo string naming no database without reuse', '\\connect "port=5432"', /names no database/],
    ['a bad -reuse-previous value (psql refuses it)', '\\connect -reuse-previous=maybe my-app', /unrecognized value "maybe" for "-reuse-previous": Boolean expected/],
    ['user after a conninfo string (psql refuses it)', `\\connect "dbname='my-app'" app`, /do not give user, host, or port separately/],
  ])('\\connect elsewhere or malformed is refused with file and line: %s', async (_name, line, message) => {
    const error = await readScript({ sql: `SELECT 1;\n${line}\n`, display: 'db/x.sql' }, { cwd: '/nonexistent', database: 'my-app', session: { user: 'app', host: 'db.example', port: 5432 } }).catch((e: Error & { suggestion?: string }) => e);
    expect((error as Error).message).toMatch(/^db\/x\.sql:2: /);
    expect((error as Error).message).toMatch(message);
    expect((error as { suggestion?: string }).suggestion).toBeTruthy();
  });

  it.each<[string, string]>([
    ['UTF8 spelled as psql accepts it', '\\encoding utf-8\nSELECT \'café\';\n'],
    ['SQL_ASCII before ASCII text', '\\encoding SQL_ASCII\nSELECT 1;\n'],
    ['LATIN1 before ASCII text (the bytes mean the same)', '\\encoding LATIN1\nSELECT 1;\n'],
    ['SQL_ASCII before UTF-8 text (no conversion: the same bytes reach a UTF8 database)', '\\encoding SQL_ASCII\nSELECT \'café\';\n'],
  ])('\\encoding is accepted when the bytes mean what cruddur sends: %s', async (_name, sql) => {
    const script = await read(sql);
    expect(script.statements).toHaveLength(1);
    expect(script.rawBytes !== undefined).toBe(sql.includes('SQL_ASCII') && /[^\x00-\x7f]/.test(sql));
  });

  it.each<[string, string, RegExp]>([
    ['LATIN1 before non-ASCII text', 'SELECT 1;\n\\encoding LATIN1\nSELECT 2;\nSELECT \'café\';\n', /^db\/x\.sql:2: \\encoding LATIN1: db\/x\.sql:4 has non-ASCII text/],
    ['an encoding PostgreSQL does not know', '\\encoding KLINGON\n', /^db\/x\.sql:1: \\encoding KLINGON: invalid encoding name/],
  ])('\\encoding is refused otherwise: %s', async (_name, sql, message) => {
    await expect(read(sql)).rejects.toThrow(message);
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

describe('reading SQL files: UTF-8 only, other encodings named in one line', () => {
  const utf16le = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
  it.each<[string, Buffer, RegExp, RegExp]>([
    ['UTF-16 LE with a BOM (PowerShell `pg_dump > schema.sql`)', utf16le('SELECT 1;\n'), /^seed\.sql: the file is UTF-16 LE text \(it starts with a UTF-16 byte-order mark\); cruddur reads SQL scripts as UTF-8$/, /iconv -f UTF-16 -t UTF-8 seed\.sql .*pg_dump -f/],
    ['UTF-16 BE with a BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('SELECT 1;', 'utf16le').swap16()]), /^seed\.sql: the file is UTF-16 BE text/, /iconv -f UTF-16 -t UTF-8/],
    ['UTF-16 LE without a BOM (NUL bytes)', Buffer.from('SELECT 1;\n', 'utf16le'), /^seed\.sql: line 1 has NUL bytes: the file looks like UTF-16 LE text without a byte-order mark/, /iconv -f UTF-16LE -t UTF-8/],
    ['UTF-32 LE with a BOM', Buffer.from([0xff, 0xfe, 0, 0, 0x53, 0, 0, 0]), /^seed\.sql: the file is UTF-32 LE text/, /iconv -f UTF-32/],
    ['LATIN1 bytes', Buffer.from('SELECT 1;\nSELECT \'caf\xe9\';\n', 'latin1'), /^seed\.sql:2: byte 0xE9 is not valid UTF-8/, /iconv -f LATIN1 -t UTF-8/],
  ])('%s', (_name, bytes, message, suggestion) => {
    let error: (Error & { suggestion?: string }) | undefined;
    try {
      decodeSqlBytes(bytes, 'seed.sql');
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toMatch(message);
    expect(error?.suggestion).toMatch(suggestion);
  });

  it('reads UTF-8 (with a BOM too) unchanged', () => {
    expect(decodeSqlBytes(Buffer.from('\uFEFFSELECT \'café 😀\';', 'utf8'), 'x.sql')).toBe('\uFEFFSELECT \'café 😀\';');
  });

  it('a seed file in UTF-16 is refused before anything runs, through the reader every command uses', async () => {
    const dir = await tempDir('cruddur-utf16-');
    try {
      await writeFile(join(dir.path, 'seed.sql'), utf16le('SELECT 1;\n'));
      await expect(readScript({ path: join(dir.path, 'seed.sql'), display: 'seed.sql' }, { cwd: dir.path })).rejects.toThrow(/^seed\.sql: the file is UTF-16 LE text/);
      await writeFile(join(dir.path, 'main.sql'), '\\i seed.sql\n');
      await expect(readScript({ path: join(dir.path, 'main.sql'), display: 'main.sql' }, { cwd: dir.path })).rejects.toThrow(/^seed\.sql: the file is UTF-16 LE text/);
    } finally {
      await dir.cleanup();
    }
  });
});

describe('script errors', () => {
  it('renders file:line, the message and the statement on one line, and says what was kept', () => {
    const statement = { text: 'INSERT INTO a\nVALUES (x);', file: 'db/seed.sql', line: 7, ownTransaction: false, transactionControl: false };
    const error = sqlError(statement, { message: 'column "x" does not exist', code: '42703', position: '23' }, { committed: 0 });
    expect(error.message).toBe('db/seed.sql:8: column "x" does not exist (in `INSERT INTO a`)');
    expect(error.suggestion).toBe('fix the SQL at db/seed.sql:8 and run again (nothing from this file was kept)');
    expect(sqlError(statement, { message: 'boom', code: 'XX000' }, { committed: 3 }).suggestion).toMatch(/the 3 statements before it stay committed, as psql commits them\)$/);
  });

  it.each<[string, Kept, string]>([
    ['one statement (singular verb)', { committed: 1 }, 'the 1 statement before it stays committed, as psql commits them'],
    ['with the caller\'s all-or-nothing option', { committed: 2, allOrNothing: '--single-transaction keeps nothing on error' }, 'the 2 statements before it stay committed, as psql commits them; --single-transaction keeps nothing on error'],
    ['an open transaction rolled back', { committed: 1, rolledBack: 1 }, 'the 1 statement before its transaction stays committed, as psql commits them; the 1 statement of its transaction was rolled back'],
    ['nothing committed, a transaction rolled back', { committed: 0, rolledBack: 2 }, 'nothing from this file was kept; the 2 statements of its transaction were rolled back'],
  ])('the kept note: %s', (_name, kept, note) => {
    expect(keptNote(kept)).toBe(note);
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

  it('a file with its own transactions: the note counts what was committed before the failing transaction (psql keeps only t7)', async () => {
    const { db, error } = await load('BEGIN;\nCREATE TABLE t7 (i int);\nCOMMIT;\nBEGIN;\nCREATE TABLE t8 (i int);\nSELECT 1/0;\nCOMMIT;\n');
    expect(error?.message).toMatch(/^db\/x\.sql:6: division by zero/);
    expect(error?.suggestion).toBe('fix the SQL at db/x.sql:6 and run again (the 1 statement before its transaction stays committed, as psql commits them; the 1 statement of its transaction was rolled back)');
    expect(await server.query(db, "SELECT to_regclass('public.t7')::text AS t7, to_regclass('public.t8')::text AS t8")).toEqual([{ t7: 't7', t8: null }]);
  });

  it('savepoints: statements rolled back to a savepoint are not counted as pending', async () => {
    const { error } = await load('CREATE TABLE a (i int);\nBEGIN;\nINSERT INTO a VALUES (1);\nSAVEPOINT s;\nINSERT INTO a VALUES (2);\nROLLBACK TO SAVEPOINT s;\nINSERT INTO a VALUES (3);\nCOMMIT;\nBEGIN;\nINSERT INTO a VALUES (4);\nSAVEPOINT s;\nINSERT INTO a VALUES (5);\nROLLBACK TO s;\nSELECT 1/0;\n');
    expect(error?.suggestion).toMatch(/\(the 3 statements before its transaction stay committed, as psql commits them; the 1 statement of its transaction was rolled back\)$/);
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
