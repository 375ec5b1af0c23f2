#!/usr/bin/env node
// `cruddur db setup` of the sample app vs the same SQL through `psql` (drop, create, schema, seed, the
// migrations' up SQL), alternating runs in one process, medians; then `cruddur db migrate` of 200 small
// pending migrations vs a run with nothing pending, for the per-migration cost.
// Usage: npm run build && node bench/db.js [runs=7]
import { execFileSync, spawnSync } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPostgres } from '../dist/local/postgres.js';
import { parseMigration, loadMigrations } from '../dist/migrations/files.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 7);
const cli = join(repo, 'bin', 'run.js');
const shared = join(repo, '..', 'shared', 'sample-app');
const source = existsSync(shared) ? shared : join(repo, 'test', 'fixtures', 'sample-app');
const psql = ['/usr/bin/psql', '/usr/local/bin/psql'].find(existsSync) ?? 'psql';

const work = await mkdtemp(join(tmpdir(), 'cruddur-bench-db-'));
await chmod(work, 0o755);
const pg = await startPostgres({ dataDir: join(work, 'data') });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;

try {
  const app = join(work, 'app');
  await cp(source, app, { recursive: true });
  await mkdir(join(app, '.git'));
  const db = join(app, 'backend-flask', 'db');
  const migrations = await loadMigrations(join(db, 'migrations'), 'migrations');
  await writeFile(join(work, 'migrations-up.sql'), migrations.map((m) => m.up).join('\n'));

  const env = { ...process.env, CI: 'true', CONNECTION_URL: pg.url('bench_setup') };
  const psqlEnv = { ...process.env, PGHOST: '127.0.0.1', PGPORT: String(pg.port), PGUSER: 'postgres', PGPASSWORD: 'postgres' };
  const run = (file, args, e) => {
    const r = spawnSync(file, args, { env: e, cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  };
  const cases = {
    'cruddur db setup': () => run(process.execPath, [cli, 'db', 'setup'], env),
    'psql (same SQL, 4 invocations)': () => {
      run(psql, ['-X', '-q', '-d', 'postgres', '-c', 'DROP DATABASE IF EXISTS bench_psql'], psqlEnv);
      run(psql, ['-X', '-q', '-d', 'postgres', '-c', 'CREATE DATABASE bench_psql'], psqlEnv);
      run(psql, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-1', '-d', 'bench_psql', '-f', join(db, 'schema.sql'), '-f', join(db, 'seed.sql')], psqlEnv);
      run(psql, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-1', '-d', 'bench_psql', '-f', join(work, 'migrations-up.sql')], psqlEnv);
    },
    'node -e 0 (start-up floor)': () => run(process.execPath, ['-e', '0'], env),
  };
  const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (const f of Object.values(cases)) f(); // warm-up
  for (let i = 0; i < runs; i++) {
    for (const [name, f] of Object.entries(cases)) {
      const start = process.hrtime.bigint();
      f();
      times[name].push(ms(start));
    }
  }
  const base = median(times['psql (same SQL, 4 invocations)']);
  console.log(`db setup of ${source.includes('shared') ? 'shared/sample-app' : 'test/fixtures/sample-app'}, ${runs} alternating runs, median wall ms (node ${process.version}, ${process.platform}-${process.arch})`);
  for (const name of Object.keys(cases)) {
    const m = median(times[name]);
    console.log(`${name.padEnd(34)} ${m.toFixed(1).padStart(8)} ms  ${(m / base).toFixed(2)}x psql`);
  }

  // 200 small migrations: the per-migration cost is (all pending - nothing pending) / 200.
  const count = 200;
  const dir = join(app, 'backend-flask', 'db', 'migrations');
  await rm(dir, { recursive: true });
  await mkdir(dir);
  for (let i = 0; i < count; i++) {
    const version = `2026${String(10101000000 + i)}`; // 20261010100000 + i, valid-looking timestamps
    const file = `${version}_t${i}.sql`;
    const content = `-- migrate:up\nCREATE TABLE t${i} (id serial PRIMARY KEY, note text);\nINSERT INTO t${i} (note) VALUES ('m${i}');\n\n-- migrate:down\nDROP TABLE t${i};\n`;
    parseMigration(file, content, file); // fail early on a bad file
    await writeFile(join(dir, file), content);
  }
  const full = [];
  const empty = [];
  for (let i = 0; i < Math.max(3, Math.ceil(runs / 2)); i++) {
    const url = pg.url(`bench_mig_${i}`);
    execFileSync(psql, ['-X', '-q', '-d', 'postgres', '-c', `CREATE DATABASE bench_mig_${i}`], { env: psqlEnv });
    let start = process.hrtime.bigint();
    run(process.execPath, [cli, 'db', 'migrate'], { ...env, CONNECTION_URL: url });
    full.push(ms(start));
    start = process.hrtime.bigint();
    run(process.execPath, [cli, 'db', 'migrate'], { ...env, CONNECTION_URL: url });
    empty.push(ms(start));
  }
  const perMigration = (median(full) - median(empty)) / count;
  console.log(`\ndb migrate, ${count} pending: ${median(full).toFixed(0)} ms; nothing pending: ${median(empty).toFixed(0)} ms; per migration: ${perMigration.toFixed(2)} ms (median of ${full.length})`);

  // schema-load of a 5,000-statement pg_dump-style schema (\restrict, SET lines, tables, comments, indexes,
  // constraints, functions) vs psql -X -1 -f of the same file, fresh database each run, alternating.
  const lines = ['\\restrict benchkey', "SET client_encoding = 'UTF8';", 'SET standard_conforming_strings = on;', "SELECT pg_catalog.set_config('search_path', '', false);"];
  for (let i = 0; i < 999; i++) {
    lines.push(`CREATE TABLE public.t${i} (\n    id integer NOT NULL,\n    note text DEFAULT 'a;b'::text,\n    created_at timestamp without time zone\n);`);
    lines.push(`COMMENT ON TABLE public.t${i} IS 'table ${i}';`);
    lines.push(`ALTER TABLE ONLY public.t${i}\n    ADD CONSTRAINT t${i}_pkey PRIMARY KEY (id);`);
    lines.push(`CREATE INDEX t${i}_note_idx ON public.t${i} USING btree (note);`);
    lines.push(`CREATE FUNCTION public.f${i}(p integer) RETURNS integer\n    LANGUAGE sql IMMUTABLE\n    BEGIN ATOMIC\n SELECT (p + ${i});\nEND;`);
  }
  lines.push('\\unrestrict benchkey', '');
  // The setup case is done: the app's schema.sql becomes the dump, so `db schema-load` reads it.
  const dumpFile = join(db, 'schema.sql');
  await writeFile(dumpFile, lines.join('\n'));
  const statements = lines.filter((l) => !l.startsWith('\\') && l !== '').length;
  const fresh = (name) => {
    run(psql, ['-X', '-q', '-d', 'postgres', '-c', `DROP DATABASE IF EXISTS ${name}`], psqlEnv);
    run(psql, ['-X', '-q', '-d', 'postgres', '-c', `CREATE DATABASE ${name}`], psqlEnv);
  };
  const load = { cruddur: [], psql: [] };
  for (let i = 0; i < Math.max(3, Math.ceil(runs / 2)); i++) {
    fresh('bench_dump_c');
    let start = process.hrtime.bigint();
    run(process.execPath, [cli, 'db', 'schema-load', '--url', pg.url('bench_dump_c')], env);
    load.cruddur.push(ms(start));
    fresh('bench_dump_p');
    start = process.hrtime.bigint();
    run(psql, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-1', '-d', 'bench_dump_p', '-f', dumpFile], psqlEnv);
    load.psql.push(ms(start));
  }
  console.log(
    `\nschema-load of a ${statements}-statement dump: cruddur ${median(load.cruddur).toFixed(0)} ms, psql -1 -f ${median(load.psql).toFixed(0)} ms: ${(median(load.cruddur) / median(load.psql)).toFixed(2)}x psql (median of ${load.psql.length})`,
  );
} finally {
  await pg.stop();
  await rm(work, { recursive: true, force: true });
}
