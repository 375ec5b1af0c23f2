import { compareVersions, versionInstant, type Migration } from './files.js';

/** A row of schema_migrations. */
export interface AppliedMigration {
  version: string;
  name: string;
  appliedAt: string;
  checksum: string | null;
}

export type MigrationState = 'applied' | 'pending' | 'changed' | 'missing';

export interface MigrationStatus {
  version: string;
  name: string;
  file: string | undefined;
  state: MigrationState;
  appliedAt: string | undefined;
}

/** Every file and every recorded row, merged in order (pure). `changed`: applied, but the file was edited since. */
export function migrationStatus(files: Migration[], applied: AppliedMigration[]): MigrationStatus[] {
  const byVersion = new Map(applied.map((a) => [a.version, a]));
  const rows: MigrationStatus[] = files.map((m) => {
    const row = byVersion.get(m.version);
    const state: MigrationState = !row ? 'pending' : row.checksum && row.checksum !== m.checksum ? 'changed' : 'applied';
    return { version: m.version, name: m.name, file: m.display, state, appliedAt: row?.appliedAt };
  });
  const known = new Set(files.map((f) => f.version));
  for (const a of applied) {
    if (!known.has(a.version)) rows.push({ version: a.version, name: a.name, file: undefined, state: 'missing', appliedAt: a.appliedAt });
  }
  return rows.sort((a, b) => compareVersions(a.version, b.version));
}

/** Files not yet recorded, in order (pure). */
export function pendingMigrations(files: Migration[], applied: AppliedMigration[]): Migration[] {
  const done = new Set(applied.map((a) => a.version));
  return files.filter((m) => !done.has(m.version));
}

/**
 * The last `steps` applied migrations, newest first (pure). A recorded version without its file cannot be
 * rolled back: it is returned in `missing` so the caller can stop with a clear error.
 */
export function rollbackPlan(files: Migration[], applied: AppliedMigration[], steps: number): { migrations: Migration[]; missing: string[] } {
  const byVersion = new Map(files.map((f) => [f.version, f]));
  const newest = [...applied].sort((a, b) => compareVersions(b.version, a.version)).slice(0, steps);
  const migrations: Migration[] = [];
  const missing: string[] = [];
  for (const a of newest) {
    const file = byVersion.get(a.version);
    if (file) migrations.push(file);
    else missing.push(`${a.version}_${a.name}`);
  }
  return { migrations, missing };
}

/**
 * Bootcamp compatibility (pure): migrations older than `schema_information.last_successful_run` were applied
 * by the old Python scripts, so they count as applied when schema_migrations is first created.
 */
export function baselineFromMarker(files: Migration[], marker: string | null | undefined): Migration[] {
  if (!marker || !/^\d+$/.test(marker.trim())) return [];
  const markerAt = versionInstant(marker.trim());
  if (markerAt === undefined) return [];
  return files.filter((m) => {
    const at = versionInstant(m.version);
    return at !== undefined && at < markerAt;
  });
}

/**
 * The value the bootcamp's scripts keep in last_successful_run: `str(time.time()).replace('.', '')`, i.e.
 * seconds then fraction digits (pure). Padded to `minLength` so their integer comparison with longer file
 * versions still says "already run".
 */
export function bootcampStamp(ms: number, minLength = 16): string {
  const seconds = Math.floor(ms / 1000);
  const fraction = String(ms % 1000).padStart(3, '0');
  return `${seconds}${fraction}`.padEnd(minLength, '0');
}
