import { describe, expect, it } from 'vitest';
import { AwsClients, resolveAwsSettings } from '../aws/clients.js';
import { loadProjectConfig } from '../core/config.js';
import { CruddurError } from '../core/errors.js';
import { silentLogger } from '../core/output.js';
import { runChecks, type BaseContext } from './run.js';
import { ok, skip, warn, type Check } from './types.js';

const base = (timeoutMs: number): BaseContext => ({
  project: loadProjectConfig({ cwd: '/', env: {} }),
  settings: {},
  env: {},
  aws: new AwsClients(resolveAwsSettings({ env: {} })),
  logger: silentLogger,
  timeoutMs,
});

describe('runChecks', () => {
  it('runs checks in parallel, keeps their order, and counts the statuses', async () => {
    const started: string[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const checks: Check[] = [
      // The first check waits for the second to start: it would deadlock if they ran one after the other.
      { id: 'a', title: 'A', run: async () => (started.push('a'), await gate, ok('fine')) },
      { id: 'b', title: 'B', run: async () => (started.push('b'), release(), warn('meh', 'do x')) },
      { id: 'c', title: 'C', run: async () => skip('unset', 'set C') },
    ];
    const report = await runChecks(checks, base(5000));
    expect(report.checks.map((c) => [c.id, c.status])).toEqual([['a', 'ok'], ['b', 'warn'], ['c', 'skip']]);
    expect(report.counts).toEqual({ ok: 1, warn: 1, fail: 0, skip: 1 });
    expect(report.ok).toBe(true);
    expect(started).toEqual(['a', 'b']);
  });

  it('runs one at a time with concurrency 1, still in order', async () => {
    const running: string[] = [];
    let most = 0;
    const check = (id: string): Check => ({
      id,
      title: id,
      run: async () => {
        running.push(id);
        most = Math.max(most, running.length);
        await Promise.resolve();
        running.splice(running.indexOf(id), 1);
        return ok(id);
      },
    });
    const report = await runChecks(['a', 'b', 'c'].map(check), base(5000), { concurrency: 1 });
    expect(report.checks.map((c) => c.detail)).toEqual(['a', 'b', 'c']);
    expect(most).toBe(1);
    await runChecks(['a', 'b', 'c'].map(check), base(5000));
    expect(most).toBe(3);
  });

  it('turns a thrown error into a failure with its fix', async () => {
    const report = await runChecks(
      [
        { id: 'x', title: 'X', run: async () => { throw new CruddurError('broken thing', { suggestion: 'mend it' }); } },
        { id: 'y', title: 'Y', run: async () => { throw new Error('plain'); } },
      ],
      base(5000),
    );
    expect(report.checks.map(({ durationMs: _d, ...c }) => c)).toEqual([
      { id: 'x', title: 'X', status: 'fail', detail: 'broken thing', fix: 'mend it' },
      { id: 'y', title: 'Y', status: 'fail', detail: 'plain', fix: 'run again with --verbose for details' },
    ]);
    expect(report.ok).toBe(false);
  });

  it('fails a check that does not finish in time and aborts its signal', async () => {
    let aborted = false;
    const hang: Check = {
      id: 'hang',
      title: 'Hang',
      run: (ctx) => new Promise(() => ctx.signal.addEventListener('abort', () => (aborted = true))),
    };
    const report = await runChecks([hang, { id: 'quick', title: 'Quick', run: async () => ok('done') }], base(50));
    expect(report.checks[0]).toMatchObject({ status: 'fail', detail: 'no answer within 50 ms', fix: expect.stringContaining('--timeout') });
    expect(report.checks[1]).toMatchObject({ status: 'ok' });
    expect(aborted).toBe(true);
  });
});
