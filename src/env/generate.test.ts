import { spawnSync } from 'node:child_process';
import { lstat, mkdir, readdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir, type TempDir } from '../../test/support/tmp.js';
import { loadProjectConfig } from '../core/config.js';
import { CruddurError } from '../core/errors.js';
import { writeFilesAtomic } from '../core/fs.js';
import { silentLogger } from '../core/output.js';
import { generateEnvFiles } from './generate.js';

describe('generateEnvFiles', () => {
  let dir: TempDir;
  beforeEach(async () => {
    dir = await tempDir();
    await mkdir(join(dir.path, '.git'));
    await mkdir(join(dir.path, 'erb'));
    await writeFile(join(dir.path, 'erb', 'one.env.erb'), "A=<%= ENV['A'] %>\n");
    await writeFile(join(dir.path, 'erb', 'two.env.erb'), "B=<%= ENV['B'] %>\nC=<%= ENV['C'] %>\n");
  });
  afterEach(async () => {
    await dir.cleanup();
  });
  const project = (env: Record<string, string>) => loadProjectConfig({ cwd: dir.path, env });
  const files = async () => (await readdir(dir.path)).filter((f) => !['.git', 'erb'].includes(f)).sort();

  it('writes every file with mode 0600, then reports unchanged', async () => {
    const first = await generateEnvFiles(project({ A: '1', B: '2', C: '3' }), {}, silentLogger);
    expect(first.files.map((f) => [f.name, f.status, f.output])).toEqual([
      ['one', 'written', 'one.env'],
      ['two', 'written', 'two.env'],
    ]);
    expect(await readFile(join(dir.path, 'two.env'), 'utf8')).toBe('B=2\nC=3\n');
    expect((await stat(join(dir.path, 'one.env'))).mode & 0o777).toBe(0o600);
    const again = await generateEnvFiles(project({ A: '1', B: '2', C: '3' }), {}, silentLogger);
    expect(again.files.map((f) => f.status)).toEqual(['unchanged', 'unchanged']);
    expect(await files()).toEqual(['one.env', 'two.env']);
  });

  it('writes nothing when any template misses a variable, and names them all', async () => {
    const error = await generateEnvFiles(project({ B: '2' }), {}, silentLogger).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CruddurError);
    expect((error as CruddurError).message).toBe('2 variables are not set: A (erb/one.env.erb:1), C (erb/two.env.erb:2)');
    expect(await files()).toEqual([]);
  });

  it('--allow-missing renders empty values with a warning', async () => {
    const warnings: string[] = [];
    await generateEnvFiles(project({}), { allowMissing: true }, { ...silentLogger, warn: (m) => warnings.push(m) });
    expect(await readFile(join(dir.path, 'two.env'), 'utf8')).toBe('B=\nC=\n');
    expect(warnings).toHaveLength(1);
  });

  it('--check reports a diff and writes nothing', async () => {
    await writeFile(join(dir.path, 'one.env'), 'A=old\n');
    const result = await generateEnvFiles(project({ A: 'new', B: '2', C: '3' }), { check: true }, silentLogger);
    expect(result.files.map((f) => f.status)).toEqual(['would-change', 'would-change']);
    expect(result.files[0]?.diff).toEqual(['- A=old', '+ A=new']);
    expect(await files()).toEqual(['one.env']);
    expect(await readFile(join(dir.path, 'one.env'), 'utf8')).toBe('A=old\n');
  });

  it('an unknown name is a usage error listing the known ones', async () => {
    const error = await generateEnvFiles(project({}), { names: ['three'] }, silentLogger).catch((e: unknown) => e);
    expect(error).toMatchObject({ exitCode: 2, message: 'Unknown env template: three', suggestion: 'use one of: one, two' });
  });

  it('uses the built-in templates when the repository has none', async () => {
    const bare = await tempDir();
    try {
      await mkdir(join(bare.path, '.git'));
      const env = { CONNECTION_URL: 'c', FRONTEND_URL: 'f', BACKEND_URL: 'b', AWS_DEFAULT_REGION: 'r', AWS_COGNITO_USER_POOL_ID: 'p', AWS_COGNITO_USER_POOL_CLIENT_ID: 'i', DOMAIN_NAME: 'd', CLOUDFRONT_DISTRIBUTION_ID: 'E1' };
      const result = await generateEnvFiles(loadProjectConfig({ cwd: bare.path, env }), {}, silentLogger);
      expect(result.files.map((f) => [f.name, f.builtInTemplate])).toEqual([
        ['backend-flask', true],
        ['frontend-react-js', true],
        ['sync', true],
      ]);
      expect(await readFile(join(bare.path, 'sync.env'), 'utf8')).toContain(`SYNC_BUILD_DIR=${bare.path}/frontend-react-js/build\n`);
    } finally {
      await bare.cleanup();
    }
  });

  describe('an env file that is a symlink is written through (Ruby File.write, the bootcamp tool, does)', () => {
    it('updates the file the link points to, keeps the link, mode 0600 on the target, no temp left', async () => {
      await mkdir(join(dir.path, 'real'));
      await writeFile(join(dir.path, 'real', 'two.env'), 'B=old\n');
      await symlink(join('real', 'two.env'), join(dir.path, 'two.env'));
      const result = await generateEnvFiles(project({ A: '1', B: '2', C: '3' }), { names: ['two'] }, silentLogger);
      expect(result.files.map((f) => f.status)).toEqual(['written']);
      expect((await lstat(join(dir.path, 'two.env'))).isSymbolicLink()).toBe(true);
      expect(await readlink(join(dir.path, 'two.env'))).toBe(join('real', 'two.env'));
      expect(await readFile(join(dir.path, 'real', 'two.env'), 'utf8')).toBe('B=2\nC=3\n');
      expect((await stat(join(dir.path, 'real', 'two.env'))).mode & 0o777).toBe(0o600);
      expect(await readdir(join(dir.path, 'real'))).toEqual(['two.env']);
      const again = await generateEnvFiles(project({ A: '1', B: '2', C: '3' }), { names: ['two'] }, silentLogger);
      expect(again.files.map((f) => f.status)).toEqual(['unchanged']);
    });

    it('a chain of links, and a link whose target does not exist yet (created, like File.write)', async () => {
      await mkdir(join(dir.path, 'real'));
      await symlink(join(dir.path, 'real', 'one.env'), join(dir.path, 'hop.env'));
      await symlink('hop.env', join(dir.path, 'one.env'));
      await generateEnvFiles(project({ A: '1' }), { names: ['one'] }, silentLogger);
      expect((await lstat(join(dir.path, 'one.env'))).isSymbolicLink()).toBe(true);
      expect((await lstat(join(dir.path, 'hop.env'))).isSymbolicLink()).toBe(true);
      expect(await readFile(join(dir.path, 'real', 'one.env'), 'utf8')).toBe('A=1\n');
    });

    it('a link loop is one error naming the file, and nothing is written', async () => {
      await symlink('one.env', join(dir.path, 'one.env'));
      const error = await generateEnvFiles(project({ A: '1', B: '2', C: '3' }), {}, silentLogger).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'FS_SYMLINK_LOOP', message: expect.stringMatching(/one\.env is a loop of symbolic links$/), suggestion: expect.stringContaining('rm ') });
      expect(await files()).toEqual(['one.env']);
      await expect(writeFilesAtomic([{ path: join(dir.path, 'one.env'), content: 'x' }])).rejects.toMatchObject({ code: 'FS_SYMLINK_LOOP' });
    });

    it('matches ruby -e File.write on the same link (differential)', async () => {
      const ruby = spawnSync('ruby', ['--version']);
      if (ruby.status !== 0) throw new Error('ruby is needed for this differential test (apt-get install ruby)');
      for (const who of ['ruby', 'cruddur']) {
        await mkdir(join(dir.path, who, 'real'), { recursive: true });
        await writeFile(join(dir.path, who, 'real', 'one.env'), 'A=old\n');
        await symlink(join('real', 'one.env'), join(dir.path, who, 'one.env'));
      }
      const r = spawnSync('ruby', ['-e', 'File.write("one.env", "A=1\n")'], { cwd: join(dir.path, 'ruby') });
      expect(r.status, r.stderr.toString()).toBe(0);
      await writeFilesAtomic([{ path: join(dir.path, 'cruddur', 'one.env'), content: 'A=1\n', mode: 0o600 }]);
      for (const who of ['ruby', 'cruddur']) {
        expect((await lstat(join(dir.path, who, 'one.env'))).isSymbolicLink(), who).toBe(true);
        expect(await readFile(join(dir.path, who, 'real', 'one.env'), 'utf8'), who).toBe('A=1\n');
      }
    });
  });
});
