import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import pgDriver from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopLocalPostgres } from '../src/local/postgres.js';
import { startFakeAws, type FakeAws } from './support/aws-fake.js';
import { parseJson, registerSecret, runCli, type CliResult } from './support/cli.js';
import { runCommand } from './support/command.js';
import { startTestPostgres, type TestPostgres } from './support/postgres.js';
import { copyApp, FIXTURE_APP, type TempDir } from './support/tmp.js';

const PROD_PASSWORD = 'Guard-Pr0d-Pw-51c2';
registerSecret(PROD_PASSWORD);

/** One "Error:" line and one "Try:" line, nothing else. */
function expectOneLineError(result: CliResult, message: RegExp, fix: RegExp): void {
  expect(result.exitCode).toBe(1);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatch(/^Error: /);
  expect(lines[0]).toMatch(message);
  expect(lines[1]).toMatch(/^Try: /);
  expect(lines[1]).toMatch(fix);
}

interface SetupJson {
  database: string;
  seededRows: number;
  tables: Array<{ table: string; rows: number }>;
  migrations: { applied: Array<{ version: string }> };
  steps: Array<{ id: string; status: string }>;
}

// The commands run in the test process (runCommand); processes (runCli) where the process is the subject: two
// migrations at the same time, psql inheriting the terminal (db connect), the embedded server's cold start and exit.
describe('cruddur db (built CLI, real PostgreSQL)', () => {
  let pg: TestPostgres;
  const apps: TempDir[] = [];
  const servers: Server[] = [];
  let fake: FakeAws | undefined;

  beforeAll(async () => {
    pg = await startTestPostgres();
  });
  afterAll(async () => {
    for (const app of apps) {
      await stopLocalPostgres(app.path);
      await app.cleanup();
    }
    for (const s of servers) await new Promise((r) => s.close(r));
    await fake?.stop();
    await pg.stop();
  });

  async function app(source = FIXTURE_APP): Promise<TempDir> {
    const dir = await copyApp(source);
    apps.push(dir);
    return dir;
  }

  const columns = async (db: string, table: string) =>
    (await pg.query<{ c: string }>(db, 'SELECT column_name AS c FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position', [table])).map((r) => r.c);

  it('db setup on the fixture app gives tables, the migrated columns and the seed rows; twice is fine', async () => {
    const dir = await app();
    const url = pg.url('fixture_setup');
    for (let run = 0; run < 2; run += 1) {
      const result = await runCommand(['db', 'setup', '--json'], { cwd: dir.path, env: { CONNECTION_URL: url } });
      expect(result.exitCode, result.stderr).toBe(0);
      const json = parseJson<SetupJson>(result);
      expect(json.steps.map((s) => [s.id, s.status])).toEqual([['drop', 'done'], ['create', 'done'], ['schema', 'done'], ['seed', 'done'], ['migrate', 'done']]);
      expect(json.migrations.applied.map((m) => m.version)).toEqual(['16900000000001', '20261120090000']);
      expect(json.tables).toEqual([
        { table: 'activities', rows: 2 },
        { table: 'schema_information', rows: 1 },
        { table: 'schema_migrations', rows: 2 },
        { table: 'users', rows: 2 },
      ]);
      expect(json.seededRows).toBe(4);
    }
    expect(await columns('fixture_setup', 'users')).toEqual(['uuid', 'display_name', 'handle', 'email', 'cognito_user_id', 'created_at', 'bio', 'avatar_url']);
    expect(await pg.query('fixture_setup', 'SELECT handle FROM users ORDER BY handle')).toEqual([{ handle: 'demoone' }, { handle: 'demotwo' }]);
  });

  it('two db migrate processes started together apply each of 20 migrations exactly once', async () => {
    const dir = await app();
    const migrations = join(dir.path, 'backend-flask/db/migrations');
    await rm(migrations, { recursive: true });
    await mkdir(migrations);
    await writeFile(join(migrations, '20260101000000_log.sql'), '-- migrate:up\nCREATE TABLE applied_log (version text, at timestamptz DEFAULT clock_timestamp());\n');
    for (let i = 1; i < 20; i += 1) {
      const version = `202601010000${String(i).padStart(2, '0')}`;
      await writeFile(join(migrations, `${version}_step${i}.sql`), `-- migrate:up\nSELECT pg_sleep(0.02);\nINSERT INTO applied_log (version) VALUES ('${version}');\n`);
    }
    const { url, name } = await pg.createDatabase('race');
    const [a, b] = await Promise.all([
      runCli(['db', 'migrate', '--json'], { cwd: dir.path, env: { CONNECTION_URL: url } }),
      runCli(['db', 'migrate', '--json'], { cwd: dir.path, env: { CONNECTION_URL: url } }),
    ]);
    expect(a.exitCode, a.stderr).toBe(0);
    expect(b.exitCode, b.stderr).toBe(0);
    const counts = [a, b].map((r) => parseJson<{ applied: unknown[] }>(r).applied.length).sort();
    expect(counts).toEqual([0, 20]);
    expect(await pg.query(name, 'SELECT count(*)::int AS n, count(DISTINCT version)::int AS d FROM applied_log')).toEqual([{ n: 19, d: 19 }]);
    expect(await pg.query(name, 'SELECT count(*)::int AS n FROM schema_migrations')).toEqual([{ n: 20 }]);
  });

  it('a migration failing in its third statement leaves no trace, exits 1 and names file and line', async () => {
    const dir = await app();
    const { url, name } = await pg.createDatabase('broken');
    expect((await runCommand(['db', 'schema-load'], { cwd: dir.path, env: { CONNECTION_URL: url } })).exitCode).toBe(0);
    const file = '20261121000000_broken.sql';
    await writeFile(join(dir.path, 'backend-flask/db/migrations', file), '-- migrate:up\nCREATE TABLE first_t (id int);\nALTER TABLE users ADD COLUMN third_try text;\nUPDATE users SET nonexistent = 1;\n\n-- migrate:down\n');
    const before = await pg.query(name, "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2");
    const result = await runCommand(['db', 'migrate'], { cwd: dir.path, env: { CONNECTION_URL: url } });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`Error: backend-flask/db/migrations/${file}:4: column "nonexistent" of relation "users" does not exist`));
    // The two migrations before it were applied and kept; the broken one left nothing.
    expect(await pg.query(name, 'SELECT version FROM schema_migrations ORDER BY 1')).toEqual([{ version: '16900000000001' }, { version: '20261120090000' }]);
    const after = await pg.query(name, "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'schema_migrations' ORDER BY 1, 2");
    expect(after.filter((r) => !['bio', 'avatar_url'].includes(String(r.column_name)))).toEqual(before);
    // Like dbmate, each applied migration is printed as it commits; the error repeats which stay applied.
    expect(result.stdout).toMatch(/^Applied backend-flask\/db\/migrations\/16900000000001_add_bio_column\.py \(\d+ ms\)\nApplied backend-flask\/db\/migrations\/20261120090000_\w+\.sql \(\d+ ms\)$/);
    expect(result.stderr).toMatch(/^Try: .*; 2 earlier migrations of this run were applied to broken_\w+ and stay applied: backend-flask\/db\/migrations\/16900000000001_add_bio_column\.py, backend-flask\/db\/migrations\/20261120090000_\w+\.sql$/m);
    const other = await pg.createDatabase('brokenjson');
    expect((await runCommand(['db', 'schema-load'], { cwd: dir.path, env: { CONNECTION_URL: other.url } })).exitCode).toBe(0);
    const json = await runCommand(['db', 'migrate', '--json'], { cwd: dir.path, env: { CONNECTION_URL: other.url } });
    expect(json.exitCode).toBe(1);
    const details = (JSON.parse(json.stdout) as { error: { details: { applied: Array<{ version: string }>; line: number } } }).error.details;
    expect(details.applied.map((a) => a.version)).toEqual(['16900000000001', '20261120090000']);
    expect(details.line).toBe(4);
  });

  it('status --exit-code, rollback and migrate round-trip', async () => {
    const dir = await app();
    const { url, name } = await pg.createDatabase('roundtrip');
    const env = { CONNECTION_URL: url };
    await runCommand(['db', 'schema-load'], { cwd: dir.path, env });
    expect((await runCommand(['db', 'status', '--exit-code'], { cwd: dir.path, env })).exitCode).toBe(1);
    expect((await runCommand(['db', 'migrate'], { cwd: dir.path, env })).exitCode).toBe(0);
    const clean = await runCommand(['db', 'status', '--exit-code'], { cwd: dir.path, env });
    expect(clean.exitCode).toBe(0);
    expect(clean.stdout).toMatch(/2 applied, 0 pending/);
    // A changed migration is counted as changed, not also as applied: the counts add up to the rows.
    const py = join(dir.path, 'backend-flask/db/migrations/16900000000001_add_bio_column.py');
    await writeFile(py, `${await readFile(py, 'utf8')}\n# edited\n`);
    const edited = await runCommand(['db', 'status'], { cwd: dir.path, env });
    expect(edited.stdout).toMatch(/^changed\s+16900000000001/m);
    expect(edited.stdout).toMatch(/\n1 applied, 0 pending, 1 changed \(roundtrip_\w+\)$/);
    const back = await runCommand(['db', 'rollback', '--steps', '2', '--json'], { cwd: dir.path, env });
    expect(parseJson<{ rolledBack: Array<{ version: string }> }>(back).rolledBack.map((r) => r.version)).toEqual(['20261120090000', '16900000000001']);
    expect(await columns(name, 'users')).not.toContain('bio');
    const status = await runCommand(['db', 'status', '--exit-code', '--json'], { cwd: dir.path, env });
    expect(status.exitCode).toBe(1);
    expect((await runCommand(['db', 'migrate'], { cwd: dir.path, env })).exitCode).toBe(0);
    expect(await columns(name, 'users')).toEqual(expect.arrayContaining(['bio', 'avatar_url']));
  });

  it('dry runs print SQL and change nothing', async () => {
    const dir = await app();
    const { url, name } = await pg.createDatabase('dry');
    const env = { CONNECTION_URL: url };
    await runCommand(['db', 'schema-load'], { cwd: dir.path, env });
    const dry = await runCommand(['db', 'migrate', '--dry-run'], { cwd: dir.path, env });
    expect(dry.stdout).toContain('-- backend-flask/db/migrations/16900000000001_add_bio_column.py\nALTER TABLE public.users ADD COLUMN bio text;');
    expect(await columns(name, 'users')).not.toContain('bio');
  });

  describe('bad input: one line with a fix, password never printed', () => {
    let dir: TempDir;
    beforeAll(async () => {
      dir = await app();
    });

    it('malformed URL', async () => {
      registerSecret('Sup3rSecretPw');
      const result = await runCommand(['db', 'status'], { cwd: dir.path, env: { CONNECTION_URL: 'postgres://app:Sup3rSecretPw@[broken/cruddur' } });
      expectOneLineError(result, /CONNECTION_URL is malformed: the bracketed IPv6 host is not valid/, /postgresql:\/\/user@host:5432\/database with `:password`/);
    });

    it('wrong password', async () => {
      registerSecret('Wr0ngPassw0rd-x');
      const url = pg.url('postgres').replace(':postgres@', ':Wr0ngPassw0rd-x@');
      const result = await runCommand(['db', 'create'], { cwd: dir.path, env: { CONNECTION_URL: url } });
      expectOneLineError(result, /Authentication failed for user "postgres" on 127\.0\.0\.1:\d+/, /check CONNECTION_URL/);
    });

    it('unreachable host times out quickly', async () => {
      // A port that accepts connections and never answers, like a firewalled RDS.
      const sockets: Socket[] = [];
      const blackhole = createServer((s) => sockets.push(s));
      blackhole.on('close', () => sockets.forEach((s) => s.destroy()));
      servers.push(blackhole);
      await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
      const port = (blackhole.address() as { port: number }).port;
      registerSecret('Blackh0lePw');
      const result = await runCommand(['db', 'status'], { cwd: dir.path, env: { CONNECTION_URL: `postgresql://app:Blackh0lePw@127.0.0.1:${port}/cruddur?connect_timeout=1` } });
      for (const s of sockets) s.destroy();
      expectOneLineError(result, /Could not connect to PostgreSQL at 127\.0\.0\.1:\d+: timed out after 1s/, /rds update-sg/);
    });

    it('connection refused', async () => {
      const result = await runCommand(['db', 'status'], { cwd: dir.path, env: { CONNECTION_URL: 'postgresql://app:Blackh0lePw@127.0.0.1:1/cruddur' } });
      expectOneLineError(result, /connection refused/, /unset it to use the local embedded server/);
    });

    it('unknown database', async () => {
      const result = await runCommand(['db', 'migrate'], { cwd: dir.path, env: { CONNECTION_URL: pg.url('no_such_db') } });
      expectOneLineError(result, /Database "no_such_db" does not exist on 127\.0\.0\.1:\d+/, /cruddur db create/);
    });

    it('missing schema.sql', async () => {
      const empty = await app();
      await rm(join(empty.path, 'backend-flask/db/schema.sql'));
      const { url } = await pg.createDatabase('noschema');
      const result = await runCommand(['db', 'schema-load'], { cwd: empty.path, env: { CONNECTION_URL: url } });
      expectOneLineError(result, /backend-flask\/db\/schema.sql does not exist/, /"schema" in cruddur.json/);
    });

    it('--prod refuses destructive work without a TTY unless --yes, and never prints the password', async () => {
      registerSecret('Pr0dPassw0rd!');
      const env = { PROD_CONNECTION_URL: `postgresql://root:${encodeURIComponent('Pr0dPassw0rd!')}@127.0.0.1:1/cruddur` };
      const refused = await runCommand(['db', 'drop', '--prod'], { cwd: dir.path, env });
      expectOneLineError(refused, /Refusing to continue without confirmation: Drop the database on PRODUCTION database "cruddur"/, /--yes/);
      const tried = await runCommand(['db', 'drop', '--prod', '--yes'], { cwd: dir.path, env });
      expectOneLineError(tried, /connection refused/, /check PROD_CONNECTION_URL/);
      const missing = await runCommand(['db', 'status', '--prod'], { cwd: dir.path });
      expectOneLineError(missing, /PROD_CONNECTION_URL is not set/, /PROD_CONNECTION_URL=/);
    });

    it('db seed --json: a failing statement quoting KEY="value" is one JSON document with the value masked (was in redact.e2e)', async () => {
      registerSecret('"abc"def');
      const seeded = await app();
      await writeFile(join(seeded.path, 'backend-flask', 'db', 'seed.sql'), `SELECT 1 FROM nope WHERE x = 'DB_PASSWORD="abc"def';\n`);
      const { url } = await pg.createDatabase('redact_seed');
      const result = await runCommand(['db', 'seed', '--json'], { cwd: seeded.path, env: { CONNECTION_URL: url } });
      expect(result.exitCode, result.stderr).toBe(1);
      const doc = parseJson<{ error: { message: string; suggestion?: string } }>(result);
      expect(doc.error.message).toMatch(/relation "nope" does not exist .*'DB_PASSWORD="\*\*\*"'/);
      expect(doc.error.suggestion).toBeTruthy();
      expect(result.stdout).not.toContain('abc');
    });

    it('db connect without psql names the package', async () => {
      const result = await runCommand(['db', 'connect'], { cwd: dir.path, env: { CONNECTION_URL: 'postgresql://app:Xyz12345@127.0.0.1:1/cruddur', PATH: '/nonexistent' } });
      expectOneLineError(result, /psql is not installed/, /postgresql-client/);
    });
  });

  it('db connect runs psql with the password in the environment', async () => {
    const dir = await app();
    const result = await runCli(['db', 'connect', '--', '-tAc', 'SELECT current_database()'], { cwd: dir.path, env: { CONNECTION_URL: pg.url('postgres') } });
    expect(result.exitCode, result.stderr).toBe(0);
  });

  it('db connect < script.sql: psql reads the piped script (cruddur takes no argument from stdin)', async () => {
    const dir = await app();
    // Before: oclif read the piped text as the missing first argument, and psql took it for a database name (exit 2).
    const result = await runCli(['db', 'connect'], { cwd: dir.path, env: { CONNECTION_URL: pg.url('postgres') }, input: "SELECT 'from ' || 'stdin' AS said;\n" });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^ *said *\n-+\n from stdin\n\(1 row\)/m);
  });

  it('db sessions lists other clients as JSON; kill-all ends them', async () => {
    const dir = await app();
    const { url, name } = await pg.createDatabase('sess');
    const { default: pgLib } = await import('pg');
    const other = new pgLib.Client({ connectionString: url, application_name: 'other-app' });
    other.on('error', () => {});
    await other.connect();
    try {
      const listed = parseJson<{ sessions: Array<{ database: string; application: string }> }>(await runCommand(['db', 'sessions', '--json'], { cwd: dir.path, env: { CONNECTION_URL: url } }));
      expect(listed.sessions.filter((s) => s.database === name).map((s) => s.application)).toEqual(['other-app']);
      const killed = parseJson<{ terminated: number }>(await runCommand(['db', 'kill-all', '--json'], { cwd: dir.path, env: { CONNECTION_URL: url } }));
      expect(killed.terminated).toBe(1);
    } finally {
      await other.end().catch(() => {});
    }
  });

  it('db update-cognito-user-ids pages through Cognito (FakeAws) and updates users', async () => {
    const dir = await app();
    const { url, name } = await pg.createDatabase('cognito');
    const env = { CONNECTION_URL: url };
    expect((await runCommand(['db', 'setup'], { cwd: dir.path, env })).exitCode).toBe(0);
    fake = await startFakeAws();
    const user = (sub: string, handle: string, email: string) => ({ Username: handle, Attributes: [{ Name: 'sub', Value: sub }, { Name: 'preferred_username', Value: handle }, { Name: 'email', Value: email }] });
    fake.onOperation('ListUsers', (r) => {
      const body = JSON.parse(r.body) as { PaginationToken?: string };
      return body.PaginationToken
        ? { body: JSON.stringify({ Users: [user('sub-two', 'someoneelse', 'two@demo.cruddur.test')] }) }
        : { body: JSON.stringify({ Users: [user('sub-one', 'demoone', 'x@y.z')], PaginationToken: 'next-page' }) };
    });
    const awsEnv = {
      ...env,
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: fake.endpoint,
      AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKE1234',
      AWS_SECRET_ACCESS_KEY: 'fakesecretfakesecret',
      AWS_REGION: 'us-east-1',
      AWS_COGNITO_USER_POOL_ID: 'us-east-1_DemoPool1',
    };
    const result = await runCommand(['db', 'update-cognito-user-ids', '--json'], { cwd: dir.path, env: awsEnv });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(parseJson(result)).toMatchObject({ cognitoUsers: 2, matched: 2, updated: 2, unchanged: 0, unmatched: 0 });
    expect(fake.operations()).toEqual(['ListUsers', 'ListUsers']);
    expect(fake.requests.map((r) => JSON.parse(r.body) as unknown)).toEqual([
      { UserPoolId: 'us-east-1_DemoPool1', Limit: 60 },
      { UserPoolId: 'us-east-1_DemoPool1', Limit: 60, PaginationToken: 'next-page' },
    ]);
    expect(await pg.query(name, 'SELECT handle, cognito_user_id FROM users ORDER BY handle')).toEqual([
      { handle: 'demoone', cognito_user_id: 'sub-one' },
      { handle: 'demotwo', cognito_user_id: 'sub-two' },
    ]);
  });

  it('with no CONNECTION_URL, db setup starts the embedded PostgreSQL under .cruddur and keeps its port', async () => {
    const dir = await app();
    const first = parseJson<SetupJson>(await runCli(['db', 'setup', '--json'], { cwd: dir.path }));
    expect(first.seededRows).toBe(4);
    const state = (await readdir(join(dir.path, '.cruddur'))).sort();
    expect(state).toEqual(['.gitignore', 'postgres', 'postgres.json']);
    const status = parseJson<{ target: string; pending: number }>(await runCli(['db', 'status', '--json'], { cwd: dir.path }));
    expect(status.pending).toBe(0);
    expect(status.target).toMatch(/^postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/cruddur$/);
  });

  // Production guards (was prod-guards.e2e.test.ts, moved here to share this file's server): every destructive
  // `db ... --prod` refuses without a terminal unless --yes, in one error line whose fix names --yes, and changes
  // nothing on a real PostgreSQL database. runCommand's stdout is a pipe as a child's would be: no terminal to confirm on.
  describe('production guards: no TTY and no --yes means nothing changes', () => {
    let app: TempDir;
    let prodUrl: string;
    /** A session that a refused kill-all must leave alone. */
    let bystander: pgDriver.Client;

    const databaseExists = async () => (await pg.query('postgres', "SELECT 1 FROM pg_database WHERE datname = 'guarded_prod'")).length === 1;
    const marker = async () => (await pg.query<{ note: string }>('guarded_prod', 'SELECT note FROM marker')).map((r) => r.note);

    beforeAll(async () => {
      app = await copyApp(FIXTURE_APP);
      await pg.query('postgres', `CREATE ROLE guard_owner LOGIN SUPERUSER PASSWORD '${PROD_PASSWORD}'`);
      await pg.query('postgres', 'CREATE DATABASE guarded_prod OWNER guard_owner');
      await pg.query('guarded_prod', "CREATE TABLE marker (note text); INSERT INTO marker VALUES ('still here')");
      const url = new URL(pg.url('guarded_prod'));
      url.username = 'guard_owner';
      url.password = PROD_PASSWORD;
      prodUrl = url.toString();
      bystander = new pgDriver.Client({ connectionString: pg.url('guarded_prod') });
      await bystander.connect();
    });
    afterAll(async () => {
      await bystander?.end().catch(() => undefined);
      await app?.cleanup();
    });

    const cli = (args: string[]) => runCommand(args, { cwd: app.path, env: { PROD_CONNECTION_URL: prodUrl } });

    it.each([
      [['db', 'drop', '--prod'], 'Drop the database'],
      [['db', 'drop', '--prod', '--force'], 'Drop the database'],
      [['db', 'setup', '--prod'], 'Drop and recreate the database'],
      [['db', 'schema-load', '--prod'], 'Load the schema'],
      [['db', 'seed', '--prod'], 'Seed'],
      [['db', 'kill-all', '--prod'], 'Terminate every session'],
      [['db', 'rollback', '--prod'], 'Roll back 1 migration\\(s\\)'],
    ])('%j refuses in one line and leaves the database as it was', async (args, action) => {
      const result = await cli(args);
      expect(result.exitCode, result.stderr).toBe(1);
      expect(result.stdout).toBe('');
      const lines = result.stderr.split('\n').filter(Boolean);
      const errorLines = lines.filter((l) => l.startsWith('Error: '));
      expect(errorLines, result.stderr).toHaveLength(1);
      expect(errorLines[0]).toMatch(new RegExp(`^Error: Refusing to continue without confirmation: ${action} on PRODUCTION database "guarded_prod" \\(127\\.0\\.0\\.1(:\\d+)?\\)$`));
      expect(lines[lines.indexOf(errorLines[0] ?? '') + 1]).toBe('Try: run it in a terminal to confirm, or pass --yes when you are sure');
      expect(result.stderr).not.toMatch(/^\s+at /m);
      expect(await databaseExists()).toBe(true);
      expect(await marker()).toEqual(['still here']);
      expect((await bystander.query('SELECT 1 AS alive')).rows).toEqual([{ alive: 1 }]);
    });

    it('--json: the same refusal as one JSON error, nothing changed', async () => {
      const result = await cli(['db', 'setup', '--prod', '--json']);
      expect(result.exitCode).toBe(1);
      expect(parseJson<{ error: { code: string; suggestion: string } }>(result).error).toMatchObject({ code: 'CONFIRMATION_REQUIRED', suggestion: expect.stringContaining('--yes') });
      expect(await marker()).toEqual(['still here']);
    });

    it('with --yes the guard lets the same command through (so the refusals above were the guard)', async () => {
      await bystander.end();
      const result = await cli(['db', 'drop', '--prod', '--yes', '--force']);
      expect(result.exitCode, result.stderr).toBe(0);
      expect(await databaseExists()).toBe(false);
    });
  });

  // The inputs of issues 14 and 22 (was db/issue-inputs.e2e.test.ts, moved here to share this file's server).
  describe('db: what psql accepts, libpq URLs, the bootcamp selectors (built CLI, real PostgreSQL)', () => {
    /** A copy of the fixture app with these files in backend-flask/db (removed with the others in afterAll). */
    async function appWith(files: Record<string, string>): Promise<TempDir> {
      const dir = await app();
      for (const [name, text] of Object.entries(files)) await writeFile(join(dir.path, 'backend-flask', 'db', name), text);
      return dir;
    }

    it('db setup: BEGIN ATOMIC, \\restrict, COPY seed, CRLF migration, CONCURRENTLY and ADD VALUE then use', async () => {
      const dir = await appWith({
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
      const dir = await appWith({
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
      const dir = await appWith({ 'schema.sql': lines('my-app') });
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
      const dir = await appWith({});
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
      const dir = await appWith({});
      const result = await runCommand(['db', 'status'], { cwd: dir.path, env: { CONNECTION_URL: 'postgresql://cruddurroot:50%offSecret@127.0.0.1:5432/cruddur' } });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(/^Error: CONNECTION_URL is malformed: the password has a "%" that is not followed by two hex digits \(write % as %25\)$/m);
      expect(result.stderr).not.toContain('50%off');
    });

    it('a bare prod/prd argument is --prod on db commands, and PRD_CONNECTION_URL is read', async () => {
      const dir = await appWith({});
      const env = { CONNECTION_URL: 'postgresql://dev@127.0.0.1:1/dev', PRD_CONNECTION_URL: pg.url('postgres') };
      for (const selector of ['prod', 'prd']) {
        const result = await runCommand(['db', 'status', selector], { cwd: dir.path, env });
        expect(result.exitCode, result.stderr).toBe(0);
      }
    });
  });
});
