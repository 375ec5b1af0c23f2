import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT_DATA_HOME, stopLocalPostgres } from '../src/local/postgres.js';
import { parseJson, runCli } from './support/cli.js';
import { runCommand } from './support/command.js';
import { FIXTURE_APP, tempDir, type TempDir } from './support/tmp.js';

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
