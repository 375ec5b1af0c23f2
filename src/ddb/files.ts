import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { ProjectConfig } from '../core/config.js';
import { CruddurError } from '../core/errors.js';
import { loadTableDefinition } from './definition.js';
import { parseSeed, type SeedItems } from './items.js';

type Project = Pick<ProjectConfig, 'paths' | 'resolve'>;

/** The seed file's path as the user wrote it (an argument, or "ddbSeed" in cruddur.json). */
export function seedFilePath(project: Project, file?: string): { display: string; path: string } {
  const display = file ?? project.paths.ddbSeed;
  return { display, path: project.resolve(display) };
}

/**
 * Reads and parses the seed file; items of plain-JSON and `{"Items": [...]}` files go to the definition's
 * table. A missing file is an error naming where it was looked for.
 */
export async function loadSeedFile(project: Project, file?: string): Promise<{ file: string; items: SeedItems }> {
  const { display, path } = seedFilePath(project, file);
  if (!existsSync(path)) {
    throw new CruddurError(`The DynamoDB seed file ${display} does not exist`, {
      suggestion: file ? 'check the path' : 'write it (a JSON array of items, see docs/ddb.md), or set "ddbSeed" in cruddur.json',
      code: 'DDB_NO_SEED',
    });
  }
  const { definition } = await loadTableDefinition(project);
  return { file: display, items: parseSeed(await readFile(path, 'utf8'), display, definition.TableName as string) };
}
