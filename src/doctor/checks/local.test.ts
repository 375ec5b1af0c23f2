import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, type TempDir } from '../../../test/support/tmp.js';
import { cruddurDepsOutcome, findsPackage, frontendDepsOutcome, PACKAGE_ROOT } from './deps.js';
import { nodeVersionOutcome } from './node.js';
import { programCheck } from './programs.js';
import type { DoctorContext } from '../types.js';

describe('nodeVersionOutcome', () => {
  it.each([
    ['20.20.2', 'ok'],
    ['20.9.0', 'ok'],
    ['v22.1.0', 'ok'],
    ['20.8.1', 'fail'],
    ['18.19.0', 'fail'],
  ])('%s -> %s', (version, status) => {
    const outcome = nodeVersionOutcome(version);
    expect(outcome.status).toBe(status);
    expect(outcome.detail).toContain(version);
    if (status === 'fail') expect(outcome.fix).toContain('Node.js 20');
  });
});

const pkg = (dir: string, name: string) => mkdir(join(dir, 'node_modules', name), { recursive: true }).then(() => writeFile(join(dir, 'node_modules', name, 'package.json'), '{}'));

describe('dependency checks', () => {
  let dir: TempDir;
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(async () => {
    await dir.cleanup();
  });

  it("finds cruddur's own dependencies in this checkout", async () => {
    await expect(cruddurDepsOutcome(PACKAGE_ROOT)).resolves.toMatchObject({ status: 'ok', detail: expect.stringMatching(/^all \d+ dependencies installed$/) });
  });

  it('names missing dependencies and finds hoisted ones in a parent node_modules', async () => {
    const root = join(dir.path, 'install');
    const cli = join(root, 'node_modules', 'cruddur');
    await mkdir(cli, { recursive: true });
    await writeFile(join(cli, 'package.json'), JSON.stringify({ dependencies: { pg: '8', ejs: '3', '@aws-sdk/client-s3': '3' } }));
    await pkg(root, 'pg');
    await pkg(cli, 'ejs');
    expect(findsPackage(cli, 'pg')).toBe(true);
    await expect(cruddurDepsOutcome(cli)).resolves.toMatchObject({ status: 'fail', detail: "1 of cruddur's 3 dependencies are missing: @aws-sdk/client-s3", fix: expect.stringContaining('npm ci') });
  });

  it.each([
    ['no frontend', undefined, [], 'skip'],
    ['no dependencies', {}, [], 'ok'],
    ['not installed', { dependencies: { react: '18' }, devDependencies: { vite: '5' } }, [], 'warn'],
    ['partly installed', { dependencies: { react: '18' }, devDependencies: { vite: '5' } }, ['react'], 'warn'],
    ['installed', { dependencies: { react: '18' }, devDependencies: { vite: '5' } }, ['react', 'vite'], 'ok'],
  ])('frontend: %s -> %s', async (name, packageJson, installed, status) => {
    const root = join(dir.path, name.replaceAll(' ', '-'));
    const frontend = join(root, 'frontend-react-js');
    await mkdir(frontend, { recursive: true });
    if (packageJson) await writeFile(join(frontend, 'package.json'), JSON.stringify(packageJson));
    for (const p of installed) await pkg(frontend, p);
    const outcome = await frontendDepsOutcome(root, frontend);
    expect(outcome.status).toBe(status);
    if (status !== 'ok') expect(outcome.fix).toBeTruthy();
    if (name === 'partly installed') expect(outcome.detail).toBe('1 of 2 frontend-react-js dependencies are missing: vite');
  });

  it('checks a program on PATH, warning with an install hint when it is missing', async () => {
    const bin = join(dir.path, 'bin');
    await mkdir(bin, { recursive: true });
    await writeFile(join(bin, 'psql'), '#!/bin/sh\n');
    await chmod(join(bin, 'psql'), 0o755);
    const ctx = {} as DoctorContext;
    const spec = { name: 'psql', neededBy: '`db connect`', install: 'install psql' };
    await expect(programCheck(spec, { PATH: bin }).run(ctx)).resolves.toEqual({ status: 'ok', detail: 'psql found on PATH' });
    await expect(programCheck(spec, { PATH: join(dir.path, 'empty') }).run(ctx)).resolves.toEqual({
      status: 'warn',
      detail: 'psql is not on PATH (needed by `db connect`)',
      fix: 'install psql',
    });
  });
});
