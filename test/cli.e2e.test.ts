import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Config } from '@oclif/core';
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

  it('no command takes an argument from piped stdin (oclif reads stdin for a missing argument unless told not to)', async () => {
    // `echo x | cruddur ddb drop` would drop table x; `cruddur db connect < file.sql` handed the script to psql as
    // a database name. The manifest does not carry ignoreStdin: each command class is loaded.
    const config = await Config.load(REPO_ROOT);
    const readsStdin: string[] = [];
    let args = 0;
    for (const command of config.commands.filter((c) => c.pluginName === 'cruddur')) {
      const loaded = await command.load();
      for (const [name, arg] of Object.entries(loaded.args ?? {})) {
        args += 1;
        if (!arg.ignoreStdin) readsStdin.push(`${command.id} <${name}>`);
      }
    }
    expect(args).toBeGreaterThanOrEqual(8);
    expect(readsStdin).toEqual([]);
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
