import type { Client } from 'pg';
import type { Migration } from './files.js';
import type { AppliedMigration } from './plan.js';

/** One key for every cruddur migration run on a database (pg_advisory_lock is per database). */
export const MIGRATION_LOCK_KEY = 7_305_202_611_230_417n;

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS public.schema_migrations (
  version varchar(128) PRIMARY KEY,
  name text NOT NULL DEFAULT '',
  applied_at timestamptz NOT NULL DEFAULT now(),
  checksum text
)`;

export async function tableExists(client: Client, name: string): Promise<boolean> {
  const result = await client.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [`public.${name}`]);
  return result.rows[0]?.ok === true;
}

/**
 * Creates schema_migrations if needed (adding the columns an older dbmate-made table lacks).
 * Returns true when the table was created by this call.
 */
export async function ensureMigrationsTable(client: Client): Promise<boolean> {
  if (await tableExists(client, 'schema_migrations')) {
    await client.query(`ALTER TABLE public.schema_migrations
      ADD COLUMN IF NOT EXISTS name text NOT NULL DEFAULT '',
      ADD COLUMN IF NOT EXISTS applied_at timestamptz NOT NULL DEFAULT now(),
      ADD COLUMN IF NOT EXISTS checksum text`);
    return false;
  }
  await client.query(CREATE_TABLE);
  return true;
}

export async function readApplied(client: Client): Promise<AppliedMigration[]> {
  if (!(await tableExists(client, 'schema_migrations'))) return [];
  const result = await client.query<{ version: string; name: string | null; applied_at: Date | null; checksum: string | null }>(
    'SELECT version, name, applied_at, checksum FROM public.schema_migrations',
  );
  return result.rows.map((r) => ({ version: r.version, name: r.name ?? '', appliedAt: r.applied_at ? r.applied_at.toISOString() : '', checksum: r.checksum }));
}

export async function recordApplied(client: Client, migration: Migration): Promise<void> {
  await client.query('INSERT INTO public.schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
    migration.version,
    migration.name,
    migration.checksum,
  ]);
}

export async function recordRolledBack(client: Client, version: string): Promise<void> {
  await client.query('DELETE FROM public.schema_migrations WHERE version = $1', [version]);
}

/** The bootcamp's marker, or undefined when its table or column is absent. */
export async function readBootcampMarker(client: Client): Promise<string | undefined> {
  if (!(await tableExists(client, 'schema_information'))) return undefined;
  try {
    const result = await client.query<{ v: string | null }>('SELECT last_successful_run::text AS v FROM public.schema_information LIMIT 1');
    return result.rows[0]?.v ?? undefined;
  } catch {
    return undefined;
  }
}

/** Keeps the bootcamp's marker current so its old scripts agree with us; a no-op without its table. */
export async function writeBootcampMarker(client: Client, value: string): Promise<boolean> {
  if (!(await tableExists(client, 'schema_information'))) return false;
  try {
    await client.query('SAVEPOINT cruddur_marker');
    const updated = await client.query('UPDATE public.schema_information SET last_successful_run = $1', [value]);
    if ((updated.rowCount ?? 0) === 0) await client.query('INSERT INTO public.schema_information (last_successful_run) VALUES ($1)', [value]);
    await client.query('RELEASE SAVEPOINT cruddur_marker');
    return true;
  } catch {
    await client.query('ROLLBACK TO SAVEPOINT cruddur_marker').catch(() => {});
    return false;
  }
}

export async function lock(client: Client): Promise<void> {
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
}

export async function unlock(client: Client): Promise<void> {
  await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY.toString()]);
}
