import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir, type TempDir } from '../../test/support/tmp.js';
import { describeSource, findProjectRoot, loadProjectConfig, parseConfigFile, type SettingQuery } from './config.js';
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
    expect(config.sourceOf('E')).toBe('local stack');
    expect(config.sourceOf('A')).toBe('env');
    expect(config.paths.schema).toBe('db/schema.sql');
    expect(config.paths.seed).toBe('backend-flask/db/seed.sql');
    expect(config.resolve('db/schema.sql')).toBe(join(dir.path, 'db/schema.sql'));
  });

  it('resolves a setting with its source: flag > env > sync.env (when asked) > .env.local > .env > cruddur.json > local stack > default', async () => {
    await writeFile(join(dir.path, 'cruddur.json'), JSON.stringify({ env: { A: 'json', B: 'json' } }));
    await writeFile(join(dir.path, '.env'), 'A=dotenv\nC=dotenv\nBLANK=from-dotenv\n');
    await writeFile(join(dir.path, '.env.local'), 'A=local\n');
    await writeFile(join(dir.path, 'sync.env'), 'A=sync\nS=sync\nC=sync\n');
    await mkdir(join(dir.path, '.cruddur'));
    await writeFile(join(dir.path, '.cruddur', 'local.env'), 'L=stack\n');
    const config = loadProjectConfig({ cwd: dir.path, env: { P: 'process', BLANK: ' ' } });
    const get = (variables: string[], extra: Partial<SettingQuery> = {}) => config.setting({ variables, ...extra });
    expect(get(['A'])).toEqual({ value: 'local', source: '.env.local', name: 'A' });
    expect(get(['B'])).toEqual({ value: 'json', source: 'cruddur.json', name: 'B' });
    expect(get(['L'])).toEqual({ value: 'stack', source: 'local stack', name: 'L' });
    expect(get(['P'], { syncEnv: true })).toEqual({ value: 'process', source: 'env', name: 'P' });
    // sync.env ranks right after the process environment, and only for the settings that ask for it.
    expect(get(['C'], { syncEnv: true })).toEqual({ value: 'sync', source: 'sync.env', name: 'C' });
    expect(get(['C'])).toEqual({ value: 'dotenv', source: '.env', name: 'C' });
    expect(get(['S'])).toBeUndefined();
    expect(config.env.S).toBeUndefined();
    // Within one layer the first variable wins; a higher layer wins over an earlier variable name.
    expect(get(['NOPE', 'C'], { syncEnv: true })?.name).toBe('C');
    expect(get(['C', 'P'], { syncEnv: true })).toEqual({ value: 'process', source: 'env', name: 'P' });
    // A blank value counts as unset.
    expect(get(['BLANK'])).toEqual({ value: 'from-dotenv', source: '.env', name: 'BLANK' });
    expect(get(['P'], { flag: { name: '--p', value: 'flagged' } })).toEqual({ value: 'flagged', source: 'flag', name: '--p' });
    expect(get(['P'], { flag: { name: '--p', value: undefined } })?.source).toBe('env');
    expect(get(['NONE'], { default: 'fallback' })).toEqual({ value: 'fallback', source: 'default' });
    expect(get(['NONE'])).toBeUndefined();
    expect(describeSource({ source: 'sync.env', name: 'C' })).toBe('C (sync.env)');
    expect(describeSource({ source: 'default' })).toBe('(default)');
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
