import { isCruddurError } from '../core/errors.js';
import { settingsReport, type SettingReport } from './settings.js';
import type { Check, CheckOutcome, CheckResult, CheckStatus, DoctorContext } from './types.js';
import { mapLimit } from '../core/pool.js';
import { systemClock, type Clock } from '../core/clock.js';

export interface DoctorReport {
  /** False when any check failed. */
  ok: boolean;
  counts: Record<CheckStatus, number>;
  checks: CheckResult[];
  /** Each setting the checks used, its value (secrets redacted) and where it came from. */
  settings: SettingReport[];
}

export type BaseContext = Omit<DoctorContext, 'signal'>;

/** What a thrown error means for a check: a CruddurError keeps its message and fix. */
export function outcomeOfError(error: unknown): CheckOutcome {
  if (isCruddurError(error)) return { status: 'fail', detail: error.message, fix: error.suggestion ?? 'run again with --verbose for details' };
  return { status: 'fail', detail: error instanceof Error ? error.message : String(error), fix: 'run again with --verbose for details' };
}

async function runOne(check: Check, base: BaseContext, now: () => number): Promise<CheckResult> {
  const started = now();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  // The signal lets a check cancel its own I/O; the race is the backstop for I/O that cannot be cancelled.
  const timeout = new Promise<CheckOutcome>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error('timeout'));
      resolve({ status: 'fail', detail: `no answer within ${base.timeoutMs} ms`, fix: 'check the network or the endpoint settings, or raise --timeout' });
    }, base.timeoutMs);
  });
  let outcome: CheckOutcome;
  try {
    outcome = await Promise.race([check.run({ ...base, signal: controller.signal }).catch(outcomeOfError), timeout]);
  } finally {
    clearTimeout(timer);
  }
  return { id: check.id, title: check.title, ...outcome, durationMs: Math.round(now() - started) };
}

export interface RunChecksOptions {
  /** How many checks run at once (default: all of them). */
  concurrency?: number;
  /** Measures each check's duration (default: the system clock). */
  clock?: Pick<Clock, 'now'>;
}

/** Runs the checks in parallel, each with its own time limit; the report keeps the checks' order. */
export async function runChecks(checks: Check[], base: BaseContext, options: RunChecksOptions = {}): Promise<DoctorReport> {
  const now = () => (options.clock ?? systemClock).now();
  const limit = Math.max(1, options.concurrency ?? checks.length);
  // runOne never rejects: a failing check is a result.
  const results = await mapLimit(checks, limit, (check) => runOne(check, base, now));
  const counts: Record<CheckStatus, number> = { ok: 0, warn: 0, fail: 0, skip: 0 };
  for (const r of results) counts[r.status] += 1;
  return { ok: counts.fail === 0, counts, checks: results, settings: settingsReport(base.settings) };
}
