import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJson, runCli } from './support/cli.js';
import { copyApp, tempDir, type TempDir } from './support/tmp.js';

/**
 * A fake `npm` first on PATH: it records its arguments and working folder, then lays out
 * node_modules the way the mode says (a real install would need the registry).
 */
const FAKE_NPM = `#!/usr/bin/env node
const fs = require('node:fs');
const path = require('node:path');
fs.appendFileSync(process.env.FAKE_NPM_LOG, JSON.stringify({ args: process.argv.slice(2), cwd: process.cwd() }) + '\\n');
const mode = process.env.FAKE_NPM_MODE || 'ok';
if (mode === 'fail') { console.error('npm ERR! code E404'); console.error('npm ERR! 404 Not Found - sharp'); process.exit(1); }
const write = (name, json) => {
  const dir = path.join('node_modules', ...name.split('/'));
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(json));
};
write('sharp', { name: 'sharp', version: '0.34.5', optionalDependencies: { '@img/sharp-linux-x64': '0.34.5', '@img/sharp-libvips-linux-x64': '1.2.4' } });
if (mode !== 'no-binary') {
  write('@img/sharp-linux-x64', { name: '@img/sharp-linux-x64', version: mode === 'mismatch' ? '0.33.1' : '0.34.5' });
  write('@img/sharp-libvips-linux-x64', { name: '@img/sharp-libvips-linux-x64', version: '1.2.4' });
}
`;

describe('cruddur avatar build (built CLI, fake npm on PATH)', () => {
  let bin: TempDir;
  let log: string;
  const env = (mode = 'ok') => ({ PATH: `${bin.path}:${process.env.PATH}`, FAKE_NPM_LOG: log, FAKE_NPM_MODE: mode });
  const calls = async () => (await readFile(log, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { args: string[]; cwd: string });
  beforeAll(async () => {
    bin = await tempDir('cruddur-fake-npm-');
    await writeFile(join(bin.path, 'npm'), FAKE_NPM);
    await chmod(join(bin.path, 'npm'), 0o755);
    log = join(bin.path, 'calls.jsonl');
  });
  afterAll(async () => {
    await bin.cleanup();
  });

  const withLambda = async (folder: string) => {
    const app = await copyApp();
    await mkdir(join(app.path, folder), { recursive: true });
    await writeFile(join(app.path, folder, 'package.json'), JSON.stringify({ name: 'thumbs', dependencies: { sharp: '^0.34.5' } }));
    return app;
  };

  it('installs for linux-x64 glibc in the first configured folder and checks the sharp binary', async () => {
    const app = await withLambda('aws/lambdas/process-images');
    try {
      await writeFile(log, '');
      const result = await runCli(['avatar', 'build', '--json'], { cwd: app.path, env: env() });
      expect(result.exitCode, result.stderr).toBe(0);
      expect(await calls()).toEqual([{ args: ['install', '--os=linux', '--cpu=x64', '--libc=glibc', '--no-audit', '--no-fund'], cwd: join(app.path, 'aws/lambdas/process-images') }]);
      expect(parseJson(result)).toMatchObject({
        folder: join(app.path, 'aws/lambdas/process-images'),
        initialised: false,
        sharp: { version: '0.34.5', binary: '@img/sharp-linux-x64', binaryVersion: '0.34.5', libvips: true },
      });
    } finally {
      await app.cleanup();
    }
  });

  it.each([
    ['no-binary', /Error: @img\/sharp-linux-x64 \(sharp's Lambda binary\) was not installed in thumbing-serverless-cdk\nTry: use npm 10\.8 or newer/],
    ['mismatch', /Error: @img\/sharp-linux-x64 0\.33\.1 does not match sharp 0\.34\.5 \(which needs 0\.34\.5\)\nTry: remove thumbing-serverless-cdk\/node_modules/],
    ['fail', /Error: npm install failed in thumbing-serverless-cdk \(exit 1\): npm ERR! code E404 \| npm ERR! 404 Not Found - sharp\nTry: run `npm install --os=linux/],
  ])('npm %s: a clear error, exit 1', async (mode, message) => {
    const app = await withLambda('thumbing-serverless-cdk');
    try {
      const result = await runCli(['avatar', 'build'], { cwd: app.path, env: env(mode) });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(message);
    } finally {
      await app.cleanup();
    }
  });

  it('says where it looked when there is no Lambda folder, without running npm', async () => {
    const app = await copyApp();
    try {
      await writeFile(log, '');
      const result = await runCli(['avatar', 'build'], { cwd: app.path, env: env() });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toBe(
        'Error: No Lambda folder found (looked for package.json in thumbing-serverless-cdk, aws/lambdas/process-images)\n' +
          "Try: pass --dir, set \"lambda\" in cruddur.json, or run `cruddur avatar build --init` to start from cruddur's template",
      );
      expect(await readFile(log, 'utf8')).toBe('');
    } finally {
      await app.cleanup();
    }
  });

  it('--init copies the handler template (with the shared settings) and installs it', async () => {
    const app = await copyApp();
    try {
      await writeFile(log, '');
      const result = await runCli(['avatar', 'build', '--init'], { cwd: app.path, env: env() });
      expect(result.exitCode, result.stderr).toBe(0);
      const folder = join(app.path, 'aws/lambdas/process-images');
      for (const file of ['index.js', 'package.json', 'thumbnail-settings.json']) expect(existsSync(join(folder, file))).toBe(true);
      expect((await calls()).map((c) => c.cwd)).toEqual([folder]);
      expect(result.stdout).toMatch(/sharp 0\.34\.5 with @img\/sharp-linux-x64 0\.34\.5/);
    } finally {
      await app.cleanup();
    }
  });

  it('names npm when it is not installed', async () => {
    const app = await withLambda('thumbing-serverless-cdk');
    try {
      const result = await runCli(['avatar', 'build'], { cwd: app.path, env: { PATH: '/nonexistent' } });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(/Error: npm is not installed \(not found on PATH\)\nTry: install Node\.js with npm/);
    } finally {
      await app.cleanup();
    }
  });
});
