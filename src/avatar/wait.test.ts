import { describe, expect, it } from 'vitest';
import type { RemoteObject, S3Store } from '../aws/s3-store.js';
import { isCruddurError } from '../core/errors.js';
import { backoffDelay, isNewObject, waitForNewObject, type Clock } from './wait.js';

describe('backoffDelay', () => {
  it.each([
    [0, 250],
    [1, 400],
    [2, 640],
    [5, 2621],
    [7, 5000],
    [30, 5000],
  ])('attempt %i waits %i ms', (attempt, ms) => {
    expect(backoffDelay(attempt)).toBe(ms);
  });
});

const obj = (etag: string, seconds?: number): RemoteObject => ({
  key: 'avatars/a.jpg',
  size: 1,
  etag,
  ...(seconds === undefined ? {} : { lastModified: new Date(seconds * 1000) }),
});

describe('isNewObject', () => {
  it.each([
    ['absent now', obj('a', 1), undefined, false],
    ['absent before, present now', undefined, obj('a', 1), true],
    ['same etag and time: the old avatar', obj('a', 1), obj('a', 1), false],
    ['new etag', obj('a', 1), obj('b', 1), true],
    ['same bytes rewritten later', obj('a', 1), obj('a', 2), true],
    ['same etag, no times', obj('a'), obj('a'), false],
  ])('%s', (_name, before, current, expected) => {
    expect(isNewObject(before, current)).toBe(expected);
  });
});

/** A clock that advances only when slept on, and a store whose object appears at a chosen time. */
function fakes(appearsAt: number | undefined) {
  let now = 0;
  const sleeps: number[] = [];
  const clock: Clock = {
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
  const heads: number[] = [];
  const store = {
    headObject: async () => {
      heads.push(now);
      return appearsAt !== undefined && now >= appearsAt ? obj('new', 9) : undefined;
    },
  } as unknown as S3Store;
  return { clock, store, sleeps, heads };
}

describe('waitForNewObject', () => {
  it('polls with backoff until the object appears', async () => {
    const { clock, store, sleeps } = fakes(600);
    const result = await waitForNewObject(store, { bucket: 'assets', key: 'avatars/a.jpg', timeoutMs: 60_000, clock });
    expect(sleeps).toEqual([250, 400]);
    expect(result.attempts).toBe(3);
    expect(result.waitedMs).toBe(650);
    expect(result.object.etag).toBe('new');
  });

  it('ignores the avatar that was there before the upload', async () => {
    const { clock, sleeps } = fakes(undefined);
    let calls = 0;
    const store = { headObject: async () => (++calls < 3 ? obj('old', 1) : obj('new', 2)) } as unknown as S3Store;
    const result = await waitForNewObject(store, { bucket: 'b', key: 'k', timeoutMs: 10_000, before: obj('old', 1), clock });
    expect(result.attempts).toBe(3);
    expect(sleeps).toHaveLength(2);
  });

  it('stops at the timeout with a clear message, never sleeping past it', async () => {
    const { clock, store, sleeps, heads } = fakes(undefined);
    const error = await waitForNewObject(store, { bucket: 'assets', key: 'avatars/a.jpg', timeoutMs: 3000, clock }).catch((e: unknown) => e);
    expect(isCruddurError(error)).toBe(true);
    expect((error as Error).message).toBe('Timed out after 3 s waiting for s3://assets/avatars/a.jpg to appear');
    expect((error as { suggestion: string }).suggestion).toMatch(/Lambda.*--timeout/);
    expect(sleeps.reduce((a, b) => a + b, 0)).toBe(3000);
    expect(heads.at(-1)).toBe(3000);
  });
});
