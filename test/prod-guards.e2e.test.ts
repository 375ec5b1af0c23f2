// Production guards: every destructive `db ... --prod` refuses without a terminal unless --yes, in one
// error line whose fix names --yes, and changes nothing on a real PostgreSQL database. The commands run in the
// test process (runCommand), whose stdout is a pipe as a child's would be: no terminal to confirm on.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJson, registerSecret } from './support/cli.js';
import { runCommand } from './support/command.js';
import { startTestPostgres, type TestPostgres } from './support/postgres.js';
import { copyApp, FIXTURE_APP, type TempDir } from './support/tmp.js';

const PROD_PASSWORD = 'Guard-Pr0d-Pw-51c2';
registerSecret(PROD_PASSWORD);

describe('production guards: no TTY and no --yes means nothing changes', () => {
  let server: TestPostgres;
  let app: TempDir;
  let prodUrl: string;
  /** A session that a refused kill-all must leave alone. */
  let bystander: pg.Client;

  const databaseExists = async () => (await server.query('postgres', "SELECT 1 FROM pg_database WHERE datname = 'guarded_prod'")).length === 1;
  const marker = async () => (await server.query<{ note: string }>('guarded_prod', 'SELECT note FROM marker')).map((r) => r.note);

  beforeAll(async () => {
    server = await startTestPostgres();
    app = await copyApp(FIXTURE_APP);
    await server.query('postgres', `CREATE ROLE guard_owner LOGIN SUPERUSER PASSWORD '${PROD_PASSWORD}'`);
    await server.query('postgres', 'CREATE DATABASE guarded_prod OWNER guard_owner');
    await server.query('guarded_prod', "CREATE TABLE marker (note text); INSERT INTO marker VALUES ('still here')");
    const url = new URL(server.url('guarded_prod'));
    url.username = 'guard_owner';
    url.password = PROD_PASSWORD;
    prodUrl = url.toString();
    bystander = new pg.Client({ connectionString: server.url('guarded_prod') });
    await bystander.connect();
  });
  afterAll(async () => {
    await bystander?.end().catch(() => undefined);
    await Promise.all([server?.stop(), app?.cleanup()]);
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
