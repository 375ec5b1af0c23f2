import { describe, expect, it } from 'vitest';
import { lineAt, noTransactionReason, splitStatements, statementAt } from './sql-split.js';

describe('splitStatements', () => {
  it.each([
    ['SELECT 1; SELECT 2;', ['SELECT 1;', 'SELECT 2;']],
    ['SELECT 1', ['SELECT 1']],
    ["INSERT INTO t VALUES ('a;b'); SELECT 'it''s;';", ["INSERT INTO t VALUES ('a;b');", "SELECT 'it''s;';"]],
    ["SELECT E'a\\';b'; SELECT 2;", ["SELECT E'a\\';b';", 'SELECT 2;']],
    ['SELECT "a;b" FROM t; SELECT 2;', ['SELECT "a;b" FROM t;', 'SELECT 2;']],
    ['-- a; comment\nSELECT 1; /* x; /* nested; */ y; */ SELECT 2;', ['SELECT 1;', 'SELECT 2;']],
    ['CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END; $$ LANGUAGE plpgsql; SELECT 2;', ['CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END; $$ LANGUAGE plpgsql;', 'SELECT 2;']],
    ['DO $body$ BEGIN PERFORM 1; END $body$; SELECT $1;', ['DO $body$ BEGIN PERFORM 1; END $body$;', 'SELECT $1;']],
    [';;  \n-- only a comment\n', []],
  ])('%j', (sql, statements) => {
    expect(splitStatements(sql).map((s) => s.text)).toEqual(statements);
  });

  it('locates statements and lines', () => {
    const sql = '-- header\nCREATE TABLE a (id int);\n\nINSERT INTO a\n  VALUES (1);\n';
    const statements = splitStatements(sql);
    const offset = sql.indexOf('VALUES');
    expect(lineAt(sql, offset)).toBe(5);
    expect(statementAt(statements, offset)?.text).toMatch(/^INSERT INTO a/);
    expect(lineAt(sql, statements[0]?.start ?? -1)).toBe(2);
  });
});

describe('noTransactionReason', () => {
  it.each([
    ['CREATE TABLE a (id int); CREATE INDEX i ON a (id);', undefined],
    ['CREATE INDEX CONCURRENTLY i ON a (id);', 'CREATE INDEX CONCURRENTLY i ON a (id);'],
    ['VACUUM ANALYZE;', 'VACUUM ANALYZE;'],
    ['CREATE DATABASE x;', 'CREATE DATABASE x;'],
    ['BEGIN; SELECT 1; COMMIT;', 'BEGIN;'],
    ["CREATE FUNCTION f() RETURNS void AS $$ BEGIN COMMIT; END $$ LANGUAGE plpgsql;", undefined],
  ])('%s -> %s', (sql, reason) => {
    expect(noTransactionReason(splitStatements(sql))).toBe(reason);
  });
});
