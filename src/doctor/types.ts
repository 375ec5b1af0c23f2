import type { AwsClients } from '../aws/clients.js';
import type { ProjectConfig } from '../core/config.js';
import type { Logger } from '../core/output.js';
import type { DoctorSettings } from './settings.js';

/** ok: fine; warn: works but worth fixing; fail: something will break (doctor exits 1); skip: not configured. */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckOutcome {
  status: CheckStatus;
  /** What was found (never a secret). */
  detail: string;
  /** What to do; for 'skip', the variable to set. */
  fix?: string;
}

export interface CheckResult extends CheckOutcome {
  id: string;
  title: string;
  durationMs: number;
}

export interface DoctorContext {
  project: ProjectConfig;
  /** The settings the checks use, resolved once through the project's settings resolver (see settings.ts). */
  settings: DoctorSettings;
  /** The project's variables, for the parts that still take a variable map (`rds update-sg`). */
  env: Readonly<Record<string, string | undefined>>;
  aws: AwsClients;
  logger: Logger;
  /** Aborted when the check's time is up. */
  signal: AbortSignal;
  /** Milliseconds each check may take. */
  timeoutMs: number;
}

export interface Check {
  id: string;
  title: string;
  run(ctx: DoctorContext): Promise<CheckOutcome>;
}

export const ok = (detail: string): CheckOutcome => ({ status: 'ok', detail });
export const warn = (detail: string, fix: string): CheckOutcome => ({ status: 'warn', detail, fix });
export const fail = (detail: string, fix: string): CheckOutcome => ({ status: 'fail', detail, fix });
export const skip = (detail: string, fix: string): CheckOutcome => ({ status: 'skip', detail, fix });
