import { readFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir, type TempDir } from '../../test/support/tmp.js';
import { migrationSlug, newMigration, utcTimestamp } from './new.js';

describe('new migration', () => {
  const dirs: TempDir[] = [];
  afterAll(async () => {
    for (const d of dirs) await d.cleanup();
  });

  it.each([
    ['add_bio_column', 'add_bio_column'],
    ['Add bio column', 'add_bio_column'],
    ['AddBioColumn', 'add_bio_column'],
    ['  users: add avatar-url!  ', 'users_add_avatar_url'],
  ])('slug of %j is %s', (name, slug) => {
    expect(migrationSlug(name)).toBe(slug);
  });

  it('rejects a name with nothing usable', () => {
    expect(() => migrationSlug('!!!')).toThrow(/not a usable migration name/);
  });

  it('uses UTC yyyymmddhhmmss', () => {
    expect(utcTimestamp(new Date(Date.UTC(2026, 0, 2, 3, 4, 5)))).toBe('20260102030405');
  });

  it('writes the file with both sections and refuses to overwrite it', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    const now = new Date(Date.UTC(2026, 10, 23, 9, 30, 0));
    const made = await newMigration(`${dir.path}/migrations`, 'db/migrations', 'add likes', now);
    expect(made.file).toBe('db/migrations/20261123093000_add_likes.sql');
    expect(await readFile(made.path, 'utf8')).toBe('-- migrate:up\n\n\n-- migrate:down\n\n');
    await expect(newMigration(`${dir.path}/migrations`, 'db/migrations', 'add likes', now)).rejects.toThrow(/already exists/);
  });
});
