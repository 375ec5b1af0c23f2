import { describe, expect, it } from 'vitest';
import { emptyHeaderConfig } from './routes.js';
import { lockStatus, parseState, serializeState, stateIsEmpty, unsettledWhileApplying, type SyncLock } from './state.js';

const NOW = new Date('2026-11-29T12:00:00Z');
const lock = (host: string, pid: number, secondsAgo: number): SyncLock => ({
  owner: 'o',
  host,
  pid,
  started: NOW.toISOString(),
  heartbeat: new Date(NOW.getTime() - secondsAgo * 1000).toISOString(),
});
const self = (alive: boolean) => ({ host: 'runner-a', isAlive: () => alive });

describe('lockStatus', () => {
  it.each<[string, SyncLock | undefined, boolean, string]>([
    ['no lock', undefined, true, 'free'],
    ['fresh lock of another runner', lock('runner-b', 1, 5), false, 'held'],
    ['another runner, heartbeat 59 s ago', lock('runner-b', 1, 59), false, 'held'],
    ['another runner, heartbeat 61 s ago', lock('runner-b', 1, 61), false, 'stale'],
    ['this host, the pid is gone', lock('runner-a', 123, 1), false, 'stale'],
    ['this host, the pid is alive', lock('runner-a', 123, 1), true, 'held'],
    ['a heartbeat that is not a date', { ...lock('runner-b', 1, 0), heartbeat: 'garbage' }, true, 'stale'],
  ])('%s', (_name, l, alive, status) => {
    expect(lockStatus(l, NOW, self(alive)).status).toBe(status);
  });
});

describe('parseState', () => {
  it('round-trips', () => {
    const state = { version: 2 as const, distributionId: 'E1', owed: ['a.js'], lock: lock('h', 1, 0), hashes: { 'a.js': ['e', 'm'] as [string, string] } };
    expect(parseState(serializeState(state))).toEqual(state);
  });

  it.each(['', '{', '{"version":1,"owed":["a"]}', 'null', '[]'])('treats %j as unreadable and empty', (text) => {
    const state = parseState(text);
    expect(state.unreadable).toBe(true);
    expect(stateIsEmpty(state)).toBe(true);
  });

  it('drops malformed entries and keeps the rest', () => {
    const state = parseState(JSON.stringify({ version: 2, owed: ['a', 3, null], hashes: { ok: ['e', 'm'], bad: ['e'], worse: 'x' } }));
    expect(state.owed).toEqual(['a']);
    expect(state.hashes).toEqual({ ok: ['e', 'm'] });
  });
});

describe('unsettled header settings', () => {
  const rule = (value: string) => ({ ...emptyHeaderConfig(), cacheRules: [{ glob: '*.txt', value }] });
  it('adds the run\'s settings to the unsettled ones, without duplicates or the settled ones', () => {
    expect(unsettledWhileApplying({}, emptyHeaderConfig())).toEqual({});
    expect(unsettledWhileApplying({}, rule('a'))).toEqual({ unsettledSettings: [rule('a')] });
    expect(unsettledWhileApplying({ objectSettings: rule('a'), unsettledSettings: [rule('b')] }, rule('b'))).toEqual({ objectSettings: rule('a'), unsettledSettings: [rule('b')] });
    expect(unsettledWhileApplying({ unsettledSettings: [rule('b')] }, emptyHeaderConfig())).toEqual({ unsettledSettings: [rule('b')] });
  });
  it('round-trips and keeps the state object alive', () => {
    const state = { version: 2 as const, owed: [], hashes: {}, unsettledSettings: [rule('a')] };
    expect(parseState(serializeState(state))).toEqual(state);
    expect(stateIsEmpty(state)).toBe(false);
  });
});
