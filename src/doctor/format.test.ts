import { describe, expect, it } from 'vitest';
import { formatReport } from './format.js';
import type { DoctorReport } from './run.js';

const report: DoctorReport = {
  ok: false,
  counts: { ok: 1, warn: 0, fail: 1, skip: 1 },
  checks: [
    { id: 'node', title: 'Node.js version', status: 'ok', detail: 'Node.js 20.20.2', durationMs: 1 },
    { id: 'db', title: 'database', status: 'fail', detail: '127.0.0.1:5432/cruddur not reachable: ECONNREFUSED', fix: 'check CONNECTION_URL', durationMs: 3 },
    { id: 'sg', title: 'RDS rule', status: 'skip', detail: 'DB_SG_ID is not set', fix: 'set DB_SG_ID', durationMs: 0 },
  ],
  settings: [
    { key: 'connectionUrl', label: 'database URL', variable: 'CONNECTION_URL', value: 'db.example.com:5432/cruddur', source: 'local stack' },
    { key: 'syncBucket', label: 'frontend sync bucket', variable: 'SYNC_S3_BUCKET', value: 'example.com', source: 'sync.env' },
    { key: 'securityGroupId', label: 'RDS security group', variable: 'DB_SG_ID', value: null, source: null },
  ],
};

describe('formatReport', () => {
  it('prints one row per check, the fix under the detail, each setting with its source, and the counts (plain)', () => {
    expect(formatReport(report, { tty: false }).split('\n')).toEqual([
      'STATUS  CHECK            DETAIL / FIX',
      '------  ---------------  --------------------------------------------------',
      'OK      Node.js version  Node.js 20.20.2',
      'FAIL    database         127.0.0.1:5432/cruddur not reachable: ECONNREFUSED',
      '                         fix: check CONNECTION_URL',
      'SKIP    RDS rule         DB_SG_ID is not set',
      '                         fix: set DB_SG_ID',
      '',
      'SETTING               VALUE                        FROM',
      '--------------------  ---------------------------  ----------------------------',
      'database URL          db.example.com:5432/cruddur  CONNECTION_URL (local stack)',
      'frontend sync bucket  example.com                  SYNC_S3_BUCKET (sync.env)',
      'RDS security group    -                            not set (DB_SG_ID)',
      '',
      '1 ok, 0 warnings, 1 failed, 1 skipped',
    ]);
  });

  it('fits a 60-column terminal, wrapping details at spaces', () => {
    const lines = formatReport(report, { tty: true, columns: 60 }).split('\n');
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(60);
    expect(lines).toContain('FAIL    database         127.0.0.1:5432/cruddur not');
    expect(lines).toContain('                         reachable: ECONNREFUSED');
    expect(lines).toContain('database URL     db.example.com:5432/cruddur  CONNECTION_URL');
    expect(lines).toContain('                                              (local stack)');
  });
});
