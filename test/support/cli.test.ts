import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertNoSecrets, registerSecret, runCli } from './cli.js';
import { runCommand } from './command.js';
import { tempDir, type TempDir } from './tmp.js';

describe('secret checks of CLI output', () => {
  it('fails on a secret this file registered and on the built-in ones, not on other text', () => {
    registerSecret('Reg1stered-In-This-File');
    expect(() => assertNoSecrets('token Reg1stered-In-This-File here')).toThrow(/leaked in output/);
    expect(() => assertNoSecrets('postgresql://u:password@h/db')).toThrow(/leaked/);
    expect(() => assertNoSecrets('nothing secret here')).not.toThrow();
  });
});

describe('the environment of a command', () => {
  let app: TempDir | undefined;
  afterAll(async () => app?.cleanup());

  it('is the same in this process (runCommand) as in a child (runCli): PATH, HOME, TMPDIR, CRUDDUR_CACHE_DIR, CI', async () => {
    app = await tempDir('cruddur-env-of-');
    await mkdir(join(app.path, '.git'));
    await mkdir(join(app.path, 'erb'));
    const names = ['PATH', 'HOME', 'TMPDIR', 'CRUDDUR_CACHE_DIR', 'CI'];
    await writeFile(join(app.path, 'erb', 'seen.env.erb'), names.map((n) => `${n}=<%= ENV['${n}'] %>\n`).join(''));
    const seen = async (run: typeof runCli) => {
      const result = await run(['env', 'generate'], { cwd: app?.path });
      expect(result.exitCode, result.stderr).toBe(0);
      return readFile(join(app?.path ?? '', 'seen.env'), 'utf8');
    };
    const child = await seen(runCli);
    expect(child).toBe(names.map((n) => `${n}=${n === 'CI' ? 'true' : (process.env[n] ?? '')}\n`).join(''));
    expect(await seen(runCommand)).toBe(child);
  });
});
