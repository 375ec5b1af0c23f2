import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJson, runCli } from './support/cli.js';
import { REPO_ROOT } from './support/tmp.js';

describe('the cruddur binary', () => {
  it('--version prints the package version', async () => {
    const pkg = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    const result = await runCli(['--version']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^cruddur/${pkg.version.replaceAll('.', '\\.')} `));
  });

  it('--help lists every topic and top-level command of the manifest', async () => {
    const manifest = JSON.parse(await readFile(join(REPO_ROOT, 'oclif.manifest.json'), 'utf8')) as { commands: Record<string, unknown> };
    const topics = [...new Set(Object.keys(manifest.commands).map((id) => id.split(':')[0] as string))];
    expect(topics).toEqual(expect.arrayContaining(['bootstrap', 'env', 'ecr']));
    const result = await runCli(['--help']);
    expect(result.exitCode).toBe(0);
    for (const topic of topics) expect(result.stdout).toMatch(new RegExp(`^  ${topic}\\s`, 'm'));
  });

  it('every command has examples in its help', async () => {
    const manifest = JSON.parse(await readFile(join(REPO_ROOT, 'oclif.manifest.json'), 'utf8')) as {
      commands: Record<string, { examples?: unknown[]; pluginType?: string }>;
    };
    const missing = Object.entries(manifest.commands).filter(([, c]) => !c.examples || c.examples.length === 0).map(([id]) => id);
    expect(missing).toEqual([]);
  });

  it('a usage mistake exits 2 with a Try: line and no stack', async () => {
    const result = await runCli(['env', 'generate', '--nope']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe('Error: Nonexistent flag: --nope\nTry: cruddur env generate --help');
  });

  it('errors under --json are one JSON document on stdout', async () => {
    const result = await runCli(['env', 'generate', 'nosuch', '--json', '--cwd', join(REPO_ROOT, 'test', 'fixtures', 'sample-app')]);
    expect(result.exitCode).toBe(2);
    expect(parseJson(result)).toEqual({
      error: { code: 'USAGE', message: 'Unknown env template: nosuch', suggestion: 'use one of: backend-flask, frontend-react-js, sync' },
    });
  });
});
