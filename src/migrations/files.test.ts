import { describe, expect, it } from 'vitest';
import { compareVersions, extractPythonSql, parseMigration, parseSqlMigration, versionInstant } from './files.js';

const BOOTCAMP_PY = `from lib.db import db

class AddBioColumnMigration:
  def migrate_sql():
    data = """
    ALTER TABLE public.users ADD COLUMN bio text;
    """
    return data
  def rollback_sql():
    data = '''
    ALTER TABLE public.users DROP COLUMN bio;
    '''
    return data

  def migrate():
    db.query_commit(AddBioColumnMigration.migrate_sql(),{
    })
`;

describe('extractPythonSql', () => {
  it('reads the triple-quoted SQL of migrate_sql and rollback_sql, with the line it starts on', () => {
    expect(extractPythonSql(BOOTCAMP_PY, 'migrate_sql')).toEqual({ sql: '\n    ALTER TABLE public.users ADD COLUMN bio text;\n    ', line: 5 });
    expect(extractPythonSql(BOOTCAMP_PY, 'rollback_sql')?.sql.trim()).toBe('ALTER TABLE public.users DROP COLUMN bio;');
  });

  it.each([
    ['class X:\n  def migrate():\n    pass\n'],
    ['class X:\n  def migrate_sql():\n    return build()\n  def other():\n    return """SELECT 1"""\n'],
  ])('finds nothing when the function has no literal: %j', (source) => {
    expect(extractPythonSql(source, 'migrate_sql')).toBeUndefined();
  });
});

describe('parseSqlMigration', () => {
  it('splits up and down sections and knows where each starts', () => {
    const { up, down } = parseSqlMigration('-- migrate:up\nCREATE TABLE a ();\n\n-- migrate:down\nDROP TABLE a;\n', 'm.sql');
    expect(up).toEqual({ sql: 'CREATE TABLE a ();\n', line: 2, options: '' });
    expect(down).toEqual({ sql: 'DROP TABLE a;\n', line: 5, options: '' });
  });

  it('reads transaction:false and allows a missing down section', () => {
    const m = parseMigration('20260101000000_idx.sql', '-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON a (id);\n', 'db/20260101000000_idx.sql');
    expect(m).toMatchObject({ version: '20260101000000', name: 'idx', transaction: false, down: '' });
  });

  it('rejects a file without -- migrate:up', () => {
    expect(() => parseSqlMigration('CREATE TABLE a ();', 'db/x.sql')).toThrow(/db\/x.sql has no "-- migrate:up" line/);
  });
});

describe('versions', () => {
  it.each([
    ['20261101120000', Date.UTC(2026, 10, 1, 12, 0, 0)],
    ['16811812012345', 1681181201234],
    ['1681181201234567', 1681181201234],
    ['1681181201', 1681181201000],
    ['20261399000000', 2026139900000], // not a calendar date: read as bootcamp seconds
    ['001', undefined],
  ])('%s happened at %s', (version, ms) => {
    expect(versionInstant(version)).toBe(ms);
  });

  it.each([
    ['16811812012345', '20261101120000', -1],
    ['20261101120000', '20261101120001', -1],
    ['1700000000123', '16811812012345', 1],
    ['002', '010', -1],
    ['20261101120000', '20261101120000', 0],
  ])('%s vs %s -> %d', (a, b, sign) => {
    expect(Math.sign(compareVersions(a, b))).toBe(sign);
  });
});
