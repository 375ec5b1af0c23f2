import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../core/output.js';
import { CruddurError } from '../core/errors.js';
import { parseTarget, type DbTarget } from '../db/connection.js';
import { startTestPostgres, type TestPostgres } from '../../test/support/postgres.js';
import { tempDir, type TempDir } from '../../test/support/tmp.js';
import { migrate, rollback, status } from './runner.js';

describe('migration runner (real PostgreSQL)', () => {
  let pg: TestPostgres;
  const dirs: TempDir[] = [];
  beforeAll(async () => {
    pg = await startTestPostgres();
  });
  afterAll(async () => {
    await pg.stop();
    for (const d of dirs) await d.cleanup();
  });

  async function fixture(files: Record<string, string | Buffer>): Promise<{ target: DbTarget; db: string; source: { dir: string; display: string } }> {
    const dir = await tempDir('cruddur-mig-');
    dirs.push(dir);
    const migrations = join(dir.path, 'migrations');
    await mkdir(migrations);
    for (const [name, content] of Object.entries(files)) await writeFile(join(migrations, name), content);
    const { name, url } = await pg.createDatabase('mig');
    return { target: parseTarget(url, 'CONNECTION_URL'), db: name, source: { dir: migrations, display: 'db/migrations' } };
  }

  const tables = async (db: string) =>
    (await pg.query<{ t: string }>(db, "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).map((r) => r.t);

  it('applies in order, records checksums, then rolls back and re-applies (round trip)', async () => {
    const { target, db, source } = await fixture({
      '20260101000000_a.sql': '-- migrate:up\nCREATE TABLE a (id int);\n-- migrate:down\nDROP TABLE a;\n',
      '20260102000000_b.sql': '-- migrate:up\nCREATE TABLE b (id int);\n-- migrate:down\nDROP TABLE b;\n',
    });
    const first = await migrate(target, source, {}, silentLogger);
    expect(first.applied.map((s) => s.version)).toEqual(['20260101000000', '20260102000000']);
    expect(await tables(db)).toEqual(['a', 'b', 'schema_migrations']);
    const rows = await pg.query<{ version: string; name: string; checksum: string }>(db, 'SELECT version, name, checksum FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => [r.version, r.name, r.checksum.length])).toEqual([['20260101000000', 'a', 64], ['20260102000000', 'b', 64]]);

    expect((await migrate(target, source, {}, silentLogger)).applied).toEqual([]);
    const back = await rollback(target, source, { steps: 1 }, silentLogger);
    expect(back.rolledBack.map((s) => s.version)).toEqual(['20260102000000']);
    expect(await tables(db)).toEqual(['a', 'schema_migrations']);
    expect((await status(target, source)).pending).toBe(1);
    expect((await migrate(target, source, {}, silentLogger)).applied.map((s) => s.version)).toEqual(['20260102000000']);
    expect((await status(target, source)).pending).toBe(0);
  });

  it('a CRLF migration with a BOM applies, shows as applied and rolls back; BEGIN ATOMIC and COPY data work in migrations', async () => {
    const { target, db, source } = await fixture({
      '20260101000000_probe.sql': '\uFEFF-- migrate:up\r\nCREATE SCHEMA probe;\r\n\r\n-- migrate:down\r\nDROP SCHEMA probe;\r\n',
      '20260102000000_fn.sql':
        '-- migrate:up\nCREATE TABLE c (n int);\nCOPY c FROM stdin;\n1\n2\n\\.\nCREATE FUNCTION c_count() RETURNS bigint LANGUAGE sql\nBEGIN ATOMIC\n  SELECT count(*) FROM c;\nEND;\n-- migrate:down\nDROP FUNCTION c_count();\nDROP TABLE c;\n',
    });
    expect((await migrate(target, source, {}, silentLogger)).applied.map((s) => s.version)).toEqual(['20260101000000', '20260102000000']);
    expect(await pg.query(db, 'SELECT c_count() AS n')).toEqual([{ n: '2' }]);
    const listed = await status(target, source);
    expect(listed.migrations.map((m) => m.state)).toEqual(['applied', 'applied']);
    await rollback(target, source, { steps: 2 }, silentLogger);
    expect(await pg.query(db, "SELECT nspname FROM pg_namespace WHERE nspname = 'probe'")).toEqual([]);
    expect((await status(target, source)).pending).toBe(2);
  });

  it('a failing third statement leaves no trace and names file and line', async () => {
    const { target, db, source } = await fixture({
      '20260101000000_ok.sql': '-- migrate:up\nCREATE TABLE ok (id int);\n',
      '20260102000000_bad.sql': '-- migrate:up\nCREATE TABLE t1 (id int);\nCREATE TABLE t2 (id int);\nINSERT INTO missing_table VALUES (1);\n-- migrate:down\n',
      '20260103000000_after.sql': '-- migrate:up\nCREATE TABLE after (id int);\n',
    });
    const error = await migrate(target, source, {}, silentLogger).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CruddurError);
    expect((error as CruddurError).message).toBe('db/migrations/20260102000000_bad.sql:4: relation "missing_table" does not exist (in `INSERT INTO missing_table VALUES (1);`)');
    expect(await tables(db)).toEqual(['ok', 'schema_migrations']);
    expect((await pg.query(db, 'SELECT version FROM schema_migrations')).map((r) => r.version)).toEqual(['20260101000000']);
  });

  it('names the line of a runtime error that has no position (replayed to find it)', async () => {
    const { target, db, source } = await fixture({
      '20260101000000_dup.sql': '-- migrate:up\nCREATE TABLE u (id int PRIMARY KEY);\nINSERT INTO u VALUES (1);\n\nINSERT INTO u VALUES (1);\n',
    });
    const error = (await migrate(target, source, {}, silentLogger).catch((e: unknown) => e)) as CruddurError;
    expect(error.message).toMatch(/^db\/migrations\/20260101000000_dup.sql:5: duplicate key value violates unique constraint "u_pkey" \(in `INSERT INTO u VALUES \(1\);`\)/);
    expect(await tables(db)).toEqual(['schema_migrations']);
  });

  it('reports an applied migration edited afterwards', async () => {
    const { target, source } = await fixture({ '20260101000000_a.sql': '-- migrate:up\nCREATE TABLE a (id int);\n' });
    await migrate(target, source, {}, silentLogger);
    await writeFile(join(source.dir, '20260101000000_a.sql'), '-- migrate:up\nCREATE TABLE a (id bigint);\n');
    const warnings: string[] = [];
    const again = await migrate(target, source, {}, { ...silentLogger, warn: (m) => warnings.push(m) });
    expect(again.changed).toEqual(['db/migrations/20260101000000_a.sql']);
    expect(warnings[0]).toMatch(/edited after it was applied/);
    expect((await status(target, source)).migrations.map((m) => m.state)).toEqual(['changed']);
  });

  it('dry run prints the SQL and changes nothing', async () => {
    const { target, db, source } = await fixture({ '20260101000000_a.sql': '-- migrate:up\nCREATE TABLE a (id int);\n-- migrate:down\nDROP TABLE a;\n' });
    const dry = await migrate(target, source, { dryRun: true }, silentLogger);
    expect(dry.applied).toEqual([{ version: '20260101000000', name: 'a', file: 'db/migrations/20260101000000_a.sql', ms: 0, sql: 'CREATE TABLE a (id int);' }]);
    expect(await tables(db)).toEqual([]);
  });

  it('understands the bootcamp: Python files, schema_information as the baseline, and keeps it current', async () => {
    const py = (sql: string, down: string) => `class M:\n  def migrate_sql():\n    data = """\n    ${sql}\n    """\n    return data\n  def rollback_sql():\n    data = """\n    ${down}\n    """\n    return data\n`;
    const { target, db, source } = await fixture({
      '16811812012345_old.py': py('CREATE TABLE old (id int);', 'DROP TABLE old;'),
      '16900000000001_newer.py': py('CREATE TABLE newer (id int);', 'DROP TABLE newer;'),
      '20261101120000_sql.sql': '-- migrate:up\nCREATE TABLE sql (id int);\n-- migrate:down\nDROP TABLE sql;\n',
    });
    // The old scripts already ran the first migration (at 1685000000.123456).
    await pg.query(db, "CREATE TABLE schema_information (id integer UNIQUE, last_successful_run text); INSERT INTO schema_information VALUES (1, '1685000000123456')");
    await pg.query(db, 'CREATE TABLE old (id int)');
    const before = await status(target, source);
    expect(before.migrations.map((m) => m.state)).toEqual(['applied', 'pending', 'pending']);
    const result = await migrate(target, source, { clock: () => 1795000000123 }, silentLogger);
    expect(result.baselined).toEqual(['16811812012345']);
    expect(result.applied.map((s) => s.version)).toEqual(['16900000000001', '20261101120000']);
    expect(await pg.query(db, 'SELECT last_successful_run FROM schema_information')).toEqual([{ last_successful_run: '1795000000123000' }]);
    await rollback(target, source, { steps: 2 }, silentLogger);
    expect(await tables(db)).toEqual(['old', 'schema_information', 'schema_migrations']);
    expect(await pg.query(db, 'SELECT last_successful_run FROM schema_information')).toEqual([{ last_successful_run: '16900000000001' }]);
  });

  it('refuses to roll back a migration without down SQL', async () => {
    const { target, source } = await fixture({ '20260101000000_a.sql': '-- migrate:up\nCREATE TABLE a (id int);\n' });
    await migrate(target, source, {}, silentLogger);
    await expect(rollback(target, source, { steps: 1 }, silentLogger)).rejects.toThrow(/has no down SQL/);
  });

  it('a failure after earlier migrations of the run says which were applied and stay applied (message, Try:, --json details), as each is reported when it commits', async () => {
    const { target, db, source } = await fixture({
      '20260101000000_a.sql': '-- migrate:up\nCREATE TABLE a (id int);\n',
      '20260102000000_b.sql': '-- migrate:up\nCREATE TABLE b (id int);\n',
      '20260103000000_c.sql': '-- migrate:up\nCREATE TABLE c (id int);\nSELECT 1/0;\n',
    });
    const reported: string[] = [];
    const error = (await migrate(target, source, { onApplied: (step) => reported.push(step.file) }, silentLogger).catch((e: unknown) => e)) as CruddurError;
    expect(reported).toEqual(['db/migrations/20260101000000_a.sql', 'db/migrations/20260102000000_b.sql']);
    expect(error.message).toMatch(/^db\/migrations\/20260103000000_c\.sql:3: division by zero/);
    expect(error.suggestion).toMatch(/; 2 earlier migrations of this run were applied to mig_\w+ and stay applied: db\/migrations\/20260101000000_a\.sql, db\/migrations\/20260102000000_b\.sql$/);
    const details = error.details as { applied: Array<{ version: string; file: string }>; file: string; line: number };
    expect(details.applied.map((a) => a.version)).toEqual(['20260101000000', '20260102000000']);
    expect([details.file, details.line]).toEqual(['db/migrations/20260103000000_c.sql', 3]);
    expect(await tables(db)).toEqual(['a', 'b', 'schema_migrations']);
  });

  it('a failing transaction:false migration says what stays and suggests no flag db migrate does not have', async () => {
    const { target, db, source } = await fixture({
      '20260101000000_idx.sql': '-- migrate:up transaction:false\nCREATE TABLE a (id int);\nCREATE INDEX CONCURRENTLY a_i ON a (id);\nSELECT 1/0;\n',
    });
    const error = (await migrate(target, source, {}, silentLogger).catch((e: unknown) => e)) as CruddurError;
    expect(error.message).toMatch(/^db\/migrations\/20260101000000_idx\.sql:4: division by zero/);
    expect(error.suggestion).toBe('fix the SQL at db/migrations/20260101000000_idx.sql:4 and run again (the 2 statements before it stay committed, as psql commits them)');
    expect(await tables(db)).toEqual(['a', 'schema_migrations']);
  });

  it('a UTF-16 migration file is refused in one line naming the encoding, before anything runs', async () => {
    const { target, db, source } = await fixture({
      '20260101000000_a.sql': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('-- migrate:up\nCREATE TABLE a (id int);\n', 'utf16le')]),
    });
    const error = (await migrate(target, source, {}, silentLogger).catch((e: unknown) => e)) as CruddurError;
    expect(error.message).toBe('db/migrations/20260101000000_a.sql: the file is UTF-16 LE text (it starts with a UTF-16 byte-order mark); cruddur reads SQL scripts as UTF-8');
    expect(error.suggestion).toMatch(/^convert it: `iconv -f UTF-16 -t UTF-8 /);
    expect(await tables(db)).toEqual([]);
  });

  it('status counts rows by state: a changed migration is not also counted applied', async () => {
    const { target, db, source } = await fixture({
      '20260101000000_a.sql': '-- migrate:up\nCREATE TABLE a (id int);\n',
      '20260102000000_b.sql': '-- migrate:up\nCREATE TABLE b (id int);\n',
    });
    await migrate(target, source, {}, silentLogger);
    await writeFile(join(source.dir, '20260102000000_b.sql'), '-- migrate:up\nCREATE TABLE b (id bigint);\n');
    await pg.query(db, "INSERT INTO schema_migrations (version, name) VALUES ('20250101000000', 'gone')");
    const result = await status(target, source);
    expect(result.migrations.map((m) => m.state)).toEqual(['missing', 'applied', 'changed']);
    expect([result.applied, result.pending, result.changed, result.missing]).toEqual([1, 0, 1, 1]);
  });
});
