import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJson, runCli } from './support/cli.js';
import { runCommand } from './support/command.js';
import { copyApp, tempDir, type TempDir } from './support/tmp.js';
import { FAKE_NPM } from './avatar/fake-npm.js';


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
    await writeFile(join(app.path, folder, 'index.js'), 'exports.handler = async () => {};\n');
    return app;
  };

  it('installs for linux-x64 glibc in the first configured folder and checks the sharp binary', async () => {
    const app = await withLambda('aws/lambdas/process-images');
    try {
      await writeFile(log, '');
      // A process: avatar build's end-to-end run.
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
      const result = await runCommand(['avatar', 'build'], { cwd: app.path, env: env(mode) });
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
      const result = await runCommand(['avatar', 'build'], { cwd: app.path, env: env() });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toBe(
        'Error: No Lambda handler folder: no folder with a handler and sharp among thumbing-serverless-cdk, aws/lambdas/process-images\n' +
          "Try: set THUMBING_FUNCTION_PATH (thumbing-serverless-cdk/.env) or pass --dir to the folder with your index.js, or run `cruddur avatar build --init` to start from cruddur's handler",
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
      const result = await runCommand(['avatar', 'build', '--init'], { cwd: app.path, env: env() });
      expect(result.exitCode, result.stderr).toBe(0);
      const folder = join(app.path, 'aws/lambdas/process-images');
      for (const file of ['index.js', 'package.json', 'thumbnail-settings.json']) expect(existsSync(join(folder, file))).toBe(true);
      expect((await calls()).map((c) => c.cwd)).toEqual([folder]);
      expect(result.stdout).toMatch(/sharp 0\.34\.5 with @img\/sharp-linux-x64 0\.34\.5/);
    } finally {
      await app.cleanup();
    }
  });

  it('in the bootcamp layout installs into the handler folder, not the CDK app that also lists sharp, and says why', async () => {
    const app = await withLambda('thumbing-serverless-cdk');
    try {
      await rm(join(app.path, 'thumbing-serverless-cdk', 'index.js'));
      await mkdir(join(app.path, 'aws/lambdas/process-images'), { recursive: true });
      await writeFile(join(app.path, 'aws/lambdas/process-images/package.json'), JSON.stringify({ name: 'process-images', dependencies: { sharp: '^0.32.0' } }));
      await writeFile(join(app.path, 'aws/lambdas/process-images/index.js'), 'exports.handler = async function (event) {};\n');
      await writeFile(log, '');
      const result = await runCommand(['avatar', 'build'], { cwd: app.path, env: env() });
      expect(result.exitCode, result.stderr).toBe(0);
      expect((await calls()).map((c) => c.cwd)).toEqual([join(app.path, 'aws/lambdas/process-images')]);
      expect(result.stdout).toMatch(/^Handler folder aws\/lambdas\/process-images: aws\/lambdas\/process-images: its package\.json lists sharp and index\.js exports handler$/m);

      // THUMBING_FUNCTION_PATH naming a folder without a handler is refused, npm not run.
      await writeFile(log, '');
      await writeFile(join(app.path, 'thumbing-serverless-cdk/.env'), 'THUMBING_FUNCTION_PATH="/workspaces/aws-bootcamp-cruddur-2023/thumbing-serverless-cdk"\n');
      const refused = await runCommand(['avatar', 'build'], { cwd: app.path, env: env() });
      expect(refused.exitCode).toBe(1);
      expect(refused.stderr).toMatch(/^Error: No Lambda handler folder: THUMBING_FUNCTION_PATH from thumbing-serverless-cdk\/\.env names thumbing-serverless-cdk, which has no handler \(index\.js exporting handler\)\nTry: /);
      expect(await readFile(log, 'utf8')).toBe('');
    } finally {
      await app.cleanup();
    }
  });

  it('names npm when it is not installed', async () => {
    const app = await withLambda('thumbing-serverless-cdk');
    try {
      const result = await runCommand(['avatar', 'build'], { cwd: app.path, env: { PATH: '/nonexistent' } });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(/Error: npm is not installed \(not found on PATH\)\nTry: install Node\.js with npm/);
    } finally {
      await app.cleanup();
    }
  });
});
