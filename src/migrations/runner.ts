import type { Client } from 'pg';
import { CruddurError } from '../core/errors.js';
import type { Logger } from '../core/output.js';
import { withClient } from '../db/client.js';
import type { DbTarget } from '../db/connection.js';
import { join } from 'node:path';
import { explainRolledBack, inTransaction, readScript, runInOpenTransaction, runScript } from '../db/script.js';
import { loadMigrations, type Migration } from './files.js';
import { baselineFromMarker, bootcampStamp, migrationStatus, pendingMigrations, rollbackPlan, type MigrationStatus } from './plan.js';
import * as store from './store.js';

export interface MigrationsSource {
  /** Absolute folder. */
  dir: string;
  /** The folder as shown to the user. */
  display: string;
}

export interface MigrateOptions {
  dryRun?: boolean;
  /** Apply at most this many (default all). */
  limit?: number;
  clock?: () => number;
  /** Called as each migration is applied (its transaction committed), before the next one starts. */
  onApplied?: (step: AppliedStep) => void;
}

export interface AppliedStep {
  version: string;
  name: string;
  file: string;
  ms: number;
  /** With --dry-run: the SQL that would run. */
  sql?: string;
}

export interface MigrateResult {
  target: string;
  applied: AppliedStep[];
  /** Versions counted as applied from the bootcamp's schema_information on first run. */
  baselined: string[];
  /** Applied migrations whose files changed since. */
  changed: string[];
  dryRun: boolean;
}

/** Runs `work` under the migration advisory lock on one session, so concurrent runs queue instead of colliding. */
async function locked<T>(target: DbTarget, logger: Logger, work: (client: Client) => Promise<T>): Promise<T> {
  return withClient(target, async (client) => {
    logger.debug('waiting for the migration lock');
    await store.lock(client);
    try {
      return await work(client);
    } finally {
      await store.unlock(client).catch(() => {});
    }
  });
}

function longestVersion(files: Migration[]): number {
  return Math.max(16, ...files.map((f) => f.version.length));
}

/** A migration section read as psql would read it (meta-commands, COPY data, BEGIN ATOMIC bodies). */
async function section(target: DbTarget, dir: string, migration: Migration, which: 'up' | 'down') {
  return readScript(
    { sql: which === 'up' ? migration.up : migration.down, path: join(dir, migration.file), display: migration.display, firstLine: which === 'up' ? migration.upLine : migration.downLine },
    { cwd: process.cwd(), database: target.database, session: { user: target.user, host: target.host, port: target.port } },
  );
}

async function applyOne(client: Client, target: DbTarget, dir: string, migration: Migration, markerLength: number, clock: () => number): Promise<void> {
  const script = await section(target, dir, migration, 'up');
  const record = async () => {
    await store.recordApplied(client, migration);
    await store.writeBootcampMarker(client, bootcampStamp(clock(), markerLength));
  };
  if (!migration.transaction) {
    // `transaction:false`: statement by statement as psql runs them; recorded once all ran. `db migrate` has no
    // way to run it all-or-nothing, so the error suggests none.
    await runScript(client, script, { mode: 'none' });
    await inTransaction(client, record);
    return;
  }
  try {
    await inTransaction(client, async () => {
      await runInOpenTransaction(client, script.statements);
      await record();
    });
  } catch (error) {
    throw await explainRolledBack(client, script.statements, error);
  }
}

/**
 * A migration's failure, saying which migrations of this run were applied before it and stay applied (each
 * committed in its own transaction, as dbmate does): in the `Try:` line and in --json details as `applied`
 * (AppliedStep[]) next to the failure's own details. With none applied the error is returned unchanged.
 */
export function withAppliedBefore(error: unknown, applied: AppliedStep[], database: string): unknown {
  if (!(error instanceof CruddurError) || applied.length === 0) return error;
  const files = applied.map((a) => a.file).join(', ');
  const n = applied.length;
  const note = `${n} earlier migration${n === 1 ? '' : 's'} of this run ${n === 1 ? 'was' : 'were'} applied to ${database} and ${n === 1 ? 'stays' : 'stay'} applied: ${files}`;
  const details = typeof error.details === 'object' && error.details !== null ? error.details : {};
  return new CruddurError(error.message, {
    suggestion: error.suggestion ? `${error.suggestion}; ${note}` : note,
    exitCode: error.exitCode,
    code: error.code,
    cause: error.cause ?? error,
    details: { ...details, applied },
  });
}

/** Applies pending migrations in order, each in its own transaction, under the advisory lock; stops at the first failure. */
export async function migrate(target: DbTarget, source: MigrationsSource, options: MigrateOptions, logger: Logger): Promise<MigrateResult> {
  const files = await loadMigrations(source.dir, source.display);
  const clock = options.clock ?? Date.now;
  const result: MigrateResult = { target: target.display, applied: [], baselined: [], changed: [], dryRun: options.dryRun === true };
  if (options.dryRun) {
    // No lock and no writes: read what is recorded and print what would run.
    return withClient(target, async (client) => {
      const applied = await store.readApplied(client);
      const firstRun = !(await store.tableExists(client, 'schema_migrations'));
      const baseline = firstRun ? baselineFromMarker(files, await store.readBootcampMarker(client)) : [];
      const done = [...applied, ...baseline.map((m) => ({ version: m.version, name: m.name, appliedAt: '', checksum: m.checksum }))];
      result.baselined = baseline.map((m) => m.version);
      result.applied = pendingMigrations(files, done)
        .slice(0, options.limit)
        .map((m) => ({ version: m.version, name: m.name, file: m.display, ms: 0, sql: m.up.trim() }));
      return result;
    });
  }
  return locked(target, logger, async (client) => {
    const created = await store.ensureMigrationsTable(client);
    if (created) {
      const baseline = baselineFromMarker(files, await store.readBootcampMarker(client));
      for (const m of baseline) await store.recordApplied(client, m);
      result.baselined = baseline.map((m) => m.version);
      if (baseline.length > 0) logger.info(`Counted ${baseline.length} migration(s) as applied from schema_information.last_successful_run`);
    }
    const applied = await store.readApplied(client);
    result.changed = migrationStatus(files, applied)
      .filter((s) => s.state === 'changed')
      .map((s) => s.file ?? s.version);
    for (const file of result.changed) logger.warn(`${file} was edited after it was applied (checksum differs); edits to applied migrations never run`);
    const pending = pendingMigrations(files, applied).slice(0, options.limit);
    const markerLength = longestVersion(files);
    for (const migration of pending) {
      const started = clock();
      try {
        await applyOne(client, target, source.dir, migration, markerLength, clock);
      } catch (error) {
        throw withAppliedBefore(error, result.applied, target.database);
      }
      const step = { version: migration.version, name: migration.name, file: migration.display, ms: clock() - started };
      result.applied.push(step);
      options.onApplied?.(step);
      logger.debug(`applied ${migration.display} in ${step.ms} ms`);
    }
    return result;
  });
}

export interface RollbackResult {
  target: string;
  rolledBack: AppliedStep[];
  dryRun: boolean;
}

/** Rolls back the last `steps` applied migrations, newest first, each in its own transaction. */
export async function rollback(target: DbTarget, source: MigrationsSource, options: { steps: number; dryRun?: boolean; clock?: () => number }, logger: Logger): Promise<RollbackResult> {
  const files = await loadMigrations(source.dir, source.display);
  const clock = options.clock ?? Date.now;
  const result: RollbackResult = { target: target.display, rolledBack: [], dryRun: options.dryRun === true };
  const run = async (client: Client) => {
    const plan = rollbackPlan(files, await store.readApplied(client), options.steps);
    if (plan.missing.length > 0) {
      throw new CruddurError(`Cannot roll back ${plan.missing.join(', ')}: the migration file is gone`, {
        suggestion: `restore the file in ${source.display}, or delete its row from schema_migrations by hand`,
        code: 'MIGRATION_FILE_MISSING',
      });
    }
    for (const m of plan.migrations) {
      if (!m.down.trim()) {
        throw new CruddurError(`${m.display} has no down SQL, so it cannot be rolled back`, {
          suggestion: m.format === 'py' ? 'add a rollback_sql() returning the SQL in triple quotes' : 'add a "-- migrate:down" section with the SQL that undoes it',
          code: 'MIGRATION_NO_DOWN',
        });
      }
    }
    if (options.dryRun) {
      result.rolledBack = plan.migrations.map((m) => ({ version: m.version, name: m.name, file: m.display, ms: 0, sql: m.down.trim() }));
      return result;
    }
    for (const m of plan.migrations) {
      const started = clock();
      const script = await section(target, source.dir, m, 'down');
      try {
        await inTransaction(client, async () => {
          await runInOpenTransaction(client, script.statements);
          await store.recordRolledBack(client, m.version);
          // The old scripts re-run files whose version is >= the marker.
          await store.writeBootcampMarker(client, m.version);
        });
      } catch (error) {
        throw await explainRolledBack(client, script.statements, error);
      }
      result.rolledBack.push({ version: m.version, name: m.name, file: m.display, ms: clock() - started });
    }
    return result;
  };
  return options.dryRun ? withClient(target, run) : locked(target, logger, run);
}

/** Counts are of rows by state, so they add up to `migrations.length` (a changed migration is not also counted applied). */
export interface StatusResult {
  target: string;
  migrations: MigrationStatus[];
  applied: number;
  pending: number;
  changed: number;
  missing: number;
}

export async function status(target: DbTarget, source: MigrationsSource): Promise<StatusResult> {
  const files = await loadMigrations(source.dir, source.display);
  return withClient(target, async (client) => {
    let applied = await store.readApplied(client);
    if (!(await store.tableExists(client, 'schema_migrations'))) {
      const baseline = baselineFromMarker(files, await store.readBootcampMarker(client));
      applied = baseline.map((m) => ({ version: m.version, name: m.name, appliedAt: '', checksum: m.checksum }));
    }
    const migrations = migrationStatus(files, applied);
    const count = (state: MigrationStatus['state']) => migrations.filter((m) => m.state === state).length;
    return { target: target.display, migrations, applied: count('applied'), pending: count('pending'), changed: count('changed'), missing: count('missing') };
  });
}
