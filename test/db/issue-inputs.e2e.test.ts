import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopLocalPostgres } from '../../src/local/postgres.js';
import { registerSecret } from '../support/cli.js';
import { runCommand } from '../support/command.js';
import { startTestPostgres, type TestPostgres } from '../support/postgres.js';
import { copyApp, type TempDir } from '../support/tmp.js';

/** The inputs of issues 14 and 22, through the built CLI (npm run build first), run in the test process (runCommand). */
describe('db: what psql accepts, libpq URLs, the bootcamp selectors (built CLI, real PostgreSQL)', () => {
  let pg: TestPostgres;
  const apps: TempDir[] = [];
  beforeAll(async () => {
    pg = await startTestPostgres();
  });
  afterAll(async () => {
    for (const app of apps) {
      await stopLocalPostgres(app.path);
      await app.cleanup();
    }
    await pg.stop();
  });

  async function app(files: Record<string, string>): Promise<TempDir> {
    const dir = await copyApp();
    apps.push(dir);
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir.path, 'backend-flask', 'db', name), text);
    return dir;
  }

  it('db setup: BEGIN ATOMIC, \\restrict, COPY seed, CRLF migration, CONCURRENTLY and ADD VALUE then use', async () => {
    const dir = await app({
      'schema.sql': [
        '\\restrict k3y',
        "CREATE TYPE public.mood AS ENUM ('happy');",
        'CREATE TABLE public.users (uuid uuid DEFAULT gen_random_uuid() PRIMARY KEY, display_name text, handle text, email text, cognito_user_id text, created_at timestamp DEFAULT now(), m public.mood);',
        'CREATE TABLE public.activities (uuid uuid DEFAULT gen_random_uuid() PRIMARY KEY, user_uuid uuid, message text);',
        'CREATE FUNCTION public.activity_count(p_user uuid) RETURNS bigint LANGUAGE sql STABLE',
        'BEGIN ATOMIC',
        '  SELECT count(*) FROM public.activities WHERE user_uuid = p_user;',
        'END;',
        'CREATE INDEX CONCURRENTLY activities_user_idx ON public.activities (user_uuid);',
        'VACUUM ANALYZE public.users;',
        '\\unrestrict k3y',
        '',
      ].join('\n'),
      'seed.sql': [
        "ALTER TYPE public.mood ADD VALUE 'excited';",
        'COPY public.users (display_name, handle, email, cognito_user_id) FROM stdin;',
        'Andrew Brown\tandrewbrown\tandrew@example.com\tMOCK',
        'Tab\\there\tbayko\t\\N\tMOCK',
        '\\.',
        "UPDATE public.users SET m = 'excited';",
        '',
      ].join('\n'),
    });
    await writeFile(join(dir.path, 'backend-flask/db/migrations/20261201000000_probe.sql'), '\uFEFF-- migrate:up\r\nCREATE SCHEMA probe;\r\n\r\n-- migrate:down\r\nDROP SCHEMA probe;\r\n');
    const url = pg.url('issue_inputs');
    const setup = await runCommand(['db', 'setup'], { cwd: dir.path, env: { CONNECTION_URL: url } });
    expect(setup.exitCode, setup.stderr).toBe(0);
    expect(await pg.query('issue_inputs', "SELECT handle, m::text, display_name FROM users ORDER BY handle")).toEqual([
      { handle: 'andrewbrown', m: 'excited', display_name: 'Andrew Brown' },
      { handle: 'bayko', m: 'excited', display_name: 'Tab\there' },
    ]);
    expect(await pg.query('issue_inputs', "SELECT indexname FROM pg_indexes WHERE indexname = 'activities_user_idx'")).toEqual([{ indexname: 'activities_user_idx' }]);
    const status = await runCommand(['db', 'status'], { cwd: dir.path, env: { CONNECTION_URL: url } });
    expect(status.exitCode, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^applied\s+20261201000000\s+probe/m);
    const back = await runCommand(['db', 'rollback'], { cwd: dir.path, env: { CONNECTION_URL: url } });
    expect(back.exitCode, back.stderr).toBe(0);
    expect(await pg.query('issue_inputs', "SELECT nspname FROM pg_namespace WHERE nspname = 'probe'")).toEqual([]);
  });

  it('a failing seed names file and line and says truthfully what was kept; --single-transaction keeps nothing', async () => {
    const dir = await app({
      'seed.sql': "INSERT INTO public.users (display_name, handle, email, cognito_user_id)\n  SELECT 'a', 'a' || count(*), 'a@example.com', 'MOCK' FROM public.users WHERE display_name = 'a';\nINSERT INTO public.users (nope) VALUES (1);\n",
    });
    const url = pg.url('issue_seed');
    const setup = await runCommand(['db', 'setup'], { cwd: dir.path, env: { CONNECTION_URL: url } });
    expect(setup.exitCode).toBe(1);
    expect(setup.stderr).toMatch(/^Error: backend-flask\/db\/seed\.sql:3: column "nope" of relation "users" does not exist/m);
    expect(setup.stderr).toMatch(/^Try: .*the 1 statement before it stays committed, as psql commits them; --single-transaction keeps nothing on error\)$/m);
    const kept = async () => pg.query('issue_seed', "SELECT count(*)::int AS n FROM users WHERE display_name = 'a'");
    expect(await kept()).toEqual([{ n: 1 }]);
    const single = await runCommand(['db', 'seed', '--single-transaction'], { cwd: dir.path, env: { CONNECTION_URL: url } });
    expect(single.exitCode).toBe(1);
    expect(single.stderr).toMatch(/^Error: backend-flask\/db\/seed\.sql:3: /m);
    expect(single.stderr).toMatch(/nothing from this file was kept/);
    expect(await kept()).toEqual([{ n: 1 }]);
  });

  it('schema-load --url .../my-app loads pg_dump\'s own \\encoding SQL_ASCII and \\connect -reuse-previous=on "dbname=\'my-app\'" (psql 15 loads it too); another database stays refused', async () => {
    await pg.query('postgres', 'CREATE DATABASE "my-app"');
    const lines = (db: string) => ['\\encoding SQL_ASCII', `\\connect -reuse-previous=on "dbname='${db}'"`, 'CREATE TABLE public.dumped (id int);', ''].join('\n');
    const dir = await app({ 'schema.sql': lines('my-app') });
    const url = pg.url('my-app');
    const result = await runCommand(['db', 'schema-load', '--url', url], { cwd: dir.path });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await pg.query('my-app', "SELECT to_regclass('public.dumped')::text AS t")).toEqual([{ t: 'dumped' }]);
    await writeFile(join(dir.path, 'backend-flask/db/schema.sql'), lines('other-app'));
    const other = await runCommand(['db', 'schema-load', '--url', url], { cwd: dir.path });
    expect(other.exitCode).toBe(1);
    expect(other.stderr).toMatch(/^Error: backend-flask\/db\/schema\.sql:2: \\connect -reuse-previous=on "dbname='other-app'": the script switches to another database$/m);
    expect(other.stderr).toMatch(/^Try: split the file: load the part for "other-app" with --url pointing at that database$/m);
  });

  it('a UTF-16 seed (PowerShell `pg_dump > seed.sql`) is one line naming the encoding and a Try: with iconv', async () => {
    const dir = await app({});
    await writeFile(join(dir.path, 'backend-flask/db/seed.sql'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('SELECT 1;\n', 'utf16le')]));
    const result = await runCommand(['db', 'seed', '--url', pg.url('postgres')], { cwd: dir.path });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(
      'Error: backend-flask/db/seed.sql: the file is UTF-16 LE text (it starts with a UTF-16 byte-order mark); cruddur reads SQL scripts as UTF-8\n' +
        "Try: convert it: `iconv -f UTF-16 -t UTF-8 backend-flask/db/seed.sql > backend-flask/db/seed.sql.utf8 && mv backend-flask/db/seed.sql.utf8 backend-flask/db/seed.sql` (PowerShell's `>` writes UTF-16: run `pg_dump -f schema.sql` instead)",
    );
  });

  it('a % in a password is the malformed-URL error naming the problem, without the password', async () => {
    registerSecret('50%offSecret');
    const dir = await app({});
    const result = await runCommand(['db', 'status'], { cwd: dir.path, env: { CONNECTION_URL: 'postgresql://cruddurroot:50%offSecret@127.0.0.1:5432/cruddur' } });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^Error: CONNECTION_URL is malformed: the password has a "%" that is not followed by two hex digits \(write % as %25\)$/m);
    expect(result.stderr).not.toContain('50%off');
  });

  it('a bare prod/prd argument is --prod on db commands, and PRD_CONNECTION_URL is read', async () => {
    const dir = await app({});
    const env = { CONNECTION_URL: 'postgresql://dev@127.0.0.1:1/dev', PRD_CONNECTION_URL: pg.url('postgres') };
    for (const selector of ['prod', 'prd']) {
      const result = await runCommand(['db', 'status', selector], { cwd: dir.path, env });
      expect(result.exitCode, result.stderr).toBe(0);
    }
  });
});
