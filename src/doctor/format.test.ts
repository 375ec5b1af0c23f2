import { describe, expect, it } from 'vitest';
import { formatReport, wrap } from './format.js';

describe('wrap', () => {
  it.each([
    ['short', 10, ['short']],
    ['one two three four', 9, ['one two', 'three', 'four']],
    ['abcdefghijkl', 5, ['abcde', 'fghij', 'kl']],
    ['', 5, ['']],
  ])('%j at %i', (text, width, lines) => {
    expect(wrap(text, width)).toEqual(lines);
  });
});

describe('formatReport', () => {
  it('prints one row per check, the fix under the detail, and the counts', () => {
    const text = formatReport(
      {
        ok: false,
        counts: { ok: 1, warn: 0, fail: 1, skip: 1 },
        checks: [
          { id: 'node', title: 'Node.js version', status: 'ok', detail: 'Node.js 20.20.2', durationMs: 1 },
          { id: 'db', title: 'database', status: 'fail', detail: '127.0.0.1:5432/cruddur not reachable: ECONNREFUSED', fix: 'check CONNECTION_URL', durationMs: 3 },
          { id: 'sg', title: 'RDS rule', status: 'skip', detail: 'DB_SG_ID is not set', fix: 'set DB_SG_ID', durationMs: 0 },
        ],
      },
      60,
    );
    expect(text.split('\n')).toEqual([
      'STATUS  CHECK            DETAIL / FIX',
      '------  ---------------  -----------------------------------',
      'OK      Node.js version  Node.js 20.20.2',
      'FAIL    database         127.0.0.1:5432/cruddur not',
      '                         reachable: ECONNREFUSED',
      '                         fix: check CONNECTION_URL',
      'SKIP    RDS rule         DB_SG_ID is not set',
      '                         fix: set DB_SG_ID',
      '',
      '1 ok, 0 warnings, 1 failed, 1 skipped',
    ]);
  });
});
