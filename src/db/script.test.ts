import { describe, expect, it } from 'vitest';
import { locateError, sqlError, worthReplaying } from './script.js';

describe('locateError', () => {
  const script = { sql: '\nCREATE TABLE a (id int);\nINSERT INTO a VALUES (1);\nSELEC 3;\n', file: 'db/migrations/1_x.sql', firstLine: 2 };
  it.each([
    [script.sql.indexOf('SELEC') + 1, { line: 5, statement: 'SELEC 3;' }],
    [script.sql.indexOf('INSERT') + 1, { line: 4, statement: 'INSERT INTO a VALUES (1);' }],
    [undefined, undefined],
  ])('position %s -> %o', (position, where) => {
    expect(locateError(script, position)).toEqual(where);
  });

  it('renders file:line, the message and the statement on one line', () => {
    const error = sqlError(script, { message: 'syntax error at or near "SELEC"', code: '42601' }, { line: 5, statement: 'SELEC 3;' });
    expect(error.message).toBe('db/migrations/1_x.sql:5: syntax error at or near "SELEC" (in `SELEC 3;`)');
    expect(error.suggestion).toMatch(/db\/migrations\/1_x.sql:5/);
  });
});

describe('worthReplaying', () => {
  it.each<[string, unknown, boolean]>([
    ['a syntax error', { code: '42601' }, true],
    ['a missing table', { code: '42P01' }, true],
    ['a unique violation', { code: '23505' }, true],
    ['cancelled (Ctrl-C, statement_timeout)', { code: '57014' }, false],
    ['the server shutting down', { code: '57P01' }, false],
    ['a lost connection', { code: '08006' }, false],
    ['no SQLSTATE (socket closed)', new Error('Connection terminated unexpectedly'), false],
    ['a non-error', undefined, false],
  ])('%s -> %s', (_name, error, expected) => {
    expect(worthReplaying(error)).toBe(expected);
  });
});
