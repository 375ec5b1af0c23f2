import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir, type TempDir } from '../../test/support/tmp.js';
import { findProjectRoot, loadProjectConfig, parseConfigFile } from './config.js';
import { CruddurError } from './errors.js';

describe('project configuration', () => {
  let dir: TempDir;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await dir.cleanup();
  });

  it('finds the root by cruddur.json or .git, walking up', async () => {
    await mkdir(join(dir.path, 'app', '.git'), { recursive: true });
    await mkdir(join(dir.path, 'app', 'backend-flask', 'db'), { recursive: true });
    expect(findProjectRoot(join(dir.path, 'app', 'backend-flask', 'db'))).toEqual({ root: join(dir.path, 'app'), found: true });
    await writeFile(join(dir.path, 'app', 'backend-flask', 'cruddur.json'), '{}');
    expect(findProjectRoot(join(dir.path, 'app', 'backend-flask', 'db')).root).toBe(join(dir.path, 'app', 'backend-flask'));
  });

  it('applies precedence: process env > .env.local > .env > cruddur.json env > .cruddur/local.env', async () => {
    await writeFile(join(dir.path, 'cruddur.json'), JSON.stringify({ env: { A: 'json', B: 'json', C: 'json', D: 'json' }, schema: 'db/schema.sql' }));
    await writeFile(join(dir.path, '.env'), 'A=dotenv\nB=dotenv\nC=dotenv\n');
    await writeFile(join(dir.path, '.env.local'), 'A=local\nB=local\n');
    await mkdir(join(dir.path, '.cruddur'));
    await writeFile(join(dir.path, '.cruddur', 'local.env'), 'A=stack\nE=stack\n');
    const config = loadProjectConfig({ cwd: dir.path, env: { A: 'process' } });
    expect([config.env.A, config.env.B, config.env.C, config.env.D, config.env.E]).toEqual(['process', 'local', 'dotenv', 'json', 'stack']);
    expect(config.sourceOf('B')).toBe('.env.local');
    expect(config.sourceOf('E')).toBe('.cruddur/local.env');
    expect(config.paths.schema).toBe('db/schema.sql');
    expect(config.paths.seed).toBe('backend-flask/db/seed.sql');
    expect(config.resolve('db/schema.sql')).toBe(join(dir.path, 'db/schema.sql'));
  });

  it.each([
    ['{"schemaa": "x"}', '"schemaa" is not a known key'],
    ['{"schema": 3}', '"schema" must be a non-empty string'],
    ['{"templates": [1]}', '"templates" must be a string or an array of strings'],
    ['{"env": {"A": 1}}', '"env.A" must be a string'],
    ['[1]', 'must be a JSON object'],
    ['{oops', 'is not valid JSON'],
  ])('rejects %s naming the key', (text, message) => {
    let caught: unknown;
    try {
      parseConfigFile(text, 'cruddur.json');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CruddurError);
    expect((caught as CruddurError).message).toContain(message);
    expect((caught as CruddurError).suggestion).toBeTruthy();
  });
});
