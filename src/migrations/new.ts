import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CruddurError, usageError } from '../core/errors.js';

/** `yyyymmddhhmmss` in UTC (pure). */
export function utcTimestamp(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`;
}

/** A file-name-safe migration name: "Add bio column" -> add_bio_column (pure). */
export function migrationSlug(name: string): string {
  const slug = name
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (!slug) throw usageError(`"${name}" is not a usable migration name`, 'use letters and digits, e.g. `cruddur db migration new add_bio_column`');
  return slug;
}

export const MIGRATION_TEMPLATE = `-- migrate:up


-- migrate:down

`;

export interface NewMigrationResult {
  file: string;
  path: string;
  version: string;
}

export async function newMigration(dir: string, displayDir: string, name: string, now: Date = new Date()): Promise<NewMigrationResult> {
  const version = utcTimestamp(now);
  const file = `${version}_${migrationSlug(name)}.sql`;
  const path = join(dir, file);
  await mkdir(dir, { recursive: true });
  if (existsSync(path)) {
    throw new CruddurError(`${displayDir}/${file} already exists`, { suggestion: 'wait a second and run again, or pick another name', code: 'MIGRATION_EXISTS' });
  }
  await writeFile(path, MIGRATION_TEMPLATE, { flag: 'wx' });
  return { file: `${displayDir}/${file}`, path, version };
}
