/**
 * Time as a port, so code that measures or waits is tested without real sleeps. `now()` is milliseconds since
 * the epoch for the system clock (tests may start anywhere); `sleep(ms)` resolves after `ms` milliseconds.
 */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
