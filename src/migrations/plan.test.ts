import { describe, expect, it } from 'vitest';
import type { Migration } from './files.js';
import { baselineFromMarker, bootcampStamp, migrationStatus, pendingMigrations, rollbackPlan, type AppliedMigration } from './plan.js';

const m = (version: string, checksum = `sum${version}`): Migration => ({
  version, name: `n${version}`, file: `${version}_n.sql`, display: `db/${version}_n.sql`, format: 'sql',
  up: 'SELECT 1;', upLine: 2, down: 'SELECT 2;', downLine: 4, transaction: true, checksum,
});
const a = (version: string, checksum: string | null = `sum${version}`): AppliedMigration => ({ version, name: `n${version}`, appliedAt: '2026-01-01T00:00:00.000Z', checksum });

describe('migrationStatus', () => {
  it('merges files and rows: applied, pending, changed, missing', () => {
    const status = migrationStatus([m('20260101000000'), m('20260102000000', 'edited'), m('20260103000000')], [a('20260101000000'), a('20260102000000'), a('20251231000000')]);
    expect(status.map((s) => [s.version, s.state])).toEqual([
      ['20251231000000', 'missing'],
      ['20260101000000', 'applied'],
      ['20260102000000', 'changed'],
      ['20260103000000', 'pending'],
    ]);
  });

  it('treats rows without a checksum (made by dbmate) as applied', () => {
    expect(migrationStatus([m('20260101000000')], [a('20260101000000', null)])[0]?.state).toBe('applied');
  });
});

describe('pendingMigrations / rollbackPlan', () => {
  const files = [m('20260101000000'), m('20260102000000'), m('20260103000000')];
  it('pending keeps file order, including gaps', () => {
    expect(pendingMigrations(files, [a('20260102000000')]).map((x) => x.version)).toEqual(['20260101000000', '20260103000000']);
  });
  it.each([
    [1, ['20260103000000'], []],
    [2, ['20260103000000', '20260102000000'], []],
    [9, ['20260103000000', '20260102000000', '20260101000000'], []],
  ])('rollback %d step(s)', (steps, versions, missing) => {
    const plan = rollbackPlan(files, files.map((f) => a(f.version)), steps);
    expect(plan.migrations.map((x) => x.version)).toEqual(versions);
    expect(plan.missing).toEqual(missing);
  });
  it('reports a recorded version whose file is gone', () => {
    expect(rollbackPlan(files, [a('20270101000000')], 1).missing).toEqual(['20270101000000_n20270101000000']);
  });
});

describe('bootcamp compatibility', () => {
  const files = [m('16811812012345'), m('16900000000001'), m('20261101120000')];
  it.each([
    ['0', []],
    [null, []],
    ['not a number', []],
    ['1685000000123456', ['16811812012345']],
    ['1800000000000000', ['16811812012345', '16900000000001', '20261101120000']],
  ])('marker %s counts %j as applied', (marker, versions) => {
    expect(baselineFromMarker(files, marker).map((x) => x.version)).toEqual(versions);
  });

  it('writes the marker like str(time.time()).replace(".", ""), long enough to beat file versions', () => {
    expect(bootcampStamp(1795000000123)).toBe('1795000000123000');
    expect(bootcampStamp(1795000000007, 18)).toBe('179500000000700000');
  });
});
