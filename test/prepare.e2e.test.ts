// `cruddur prepare` and the `ddb` commands, in the test process (runCommand) but for the first `prepare`, a process
// that starts the local stack and exits leaving it running (runCli): on a fresh app (local stack started on demand,
// Cognito skipped with its reason), DynamoDB data kept by local down/up and deleted by --purge, the
// production guards; and with a fake Cognito pool, the users' ids set.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalDynamo, type LocalDynamoHandle } from '../src/local/dynamodb.js';
import { startFakeAws, type FakeAws } from './support/aws-fake.js';
import { parseJson, runCli } from './support/cli.js';
import { runCommand } from './support/command.js';
import { startTestPostgres, type TestPostgres } from './support/postgres.js';
import { copyApp, FIXTURE_APP, type TempDir } from './support/tmp.js';

interface Tasks {
  ok: boolean;
  tasks: Array<{ id: string; status: string; detail?: string }>;
}
const TABLE = 'cruddur-messages';

describe('cruddur prepare on a fresh app (local stack)', () => {
  let app: TempDir;
  const cli = (args: string[], env: Record<string, string> = {}) => runCommand(args, { cwd: app.path, env });
  const count = async (env: Record<string, string> = {}) => {
    const result = await cli(['ddb', 'scan', TABLE, '--json'], env);
    expect(result.exitCode, result.stderr).toBe(0);
    return parseJson<{ count: number }>(result).count;
  };

  beforeAll(async () => {
    app = await copyApp(FIXTURE_APP);
  });
  afterAll(async () => {
    await cli(['local', 'down', '--purge']);
    await app.cleanup();
  });

  it('exits 0: database set up, Cognito skipped with its reason, table created and seeded; a re-run adds nothing', async () => {
    const result = await runCli(['prepare', '--json'], { cwd: app.path });
    expect(result.exitCode, result.stderr).toBe(0);
    const json = parseJson<Tasks>(result);
    expect(json.tasks.map((t) => [t.id, t.status, t.detail])).toEqual([
      ['db', 'done', expect.stringMatching(/^cruddur: 4 seeded rows/)],
      ['cognito', 'skipped', 'AWS_COGNITO_USER_POOL_ID is not set (no user pool to read)'],
      ['ddb-schema', 'done', `${TABLE} created (ACTIVE)`],
      ['ddb-seed', 'done', `${TABLE}: 5 item(s)`],
    ]);
    const localEnv = await readFile(join(app.path, '.cruddur', 'local.env'), 'utf8');
    expect(localEnv).toMatch(/^AWS_ENDPOINT_URL_DYNAMODB=http:\/\/127\.0\.0\.1:\d+$/m);
    expect(await count()).toBe(5);

    const again = parseJson<Tasks>(await cli(['prepare', '--json']));
    expect(again.tasks.find((t) => t.id === 'ddb-schema')?.detail).toBe(`${TABLE} kept (ACTIVE)`);
    const seedAgain = await cli(['ddb', 'seed', '--json']);
    expect(seedAgain.exitCode, seedAgain.stderr).toBe(0);
    expect(await count()).toBe(5);
    const listed = parseJson<{ tables: Array<{ name: string; status: string }> }>(await cli(['ddb', 'list-tables', '--json']));
    expect(listed.tables.map((t) => [t.name, t.status])).toEqual([[TABLE, 'ACTIVE']]);
  }, 180_000);

  it('local status shows DynamoDB; down and up keep its items on the same port', async () => {
    const before = parseJson<{ dynamodb: { endpoint: string; reachable: boolean } }>(await cli(['local', 'status', '--json']));
    expect(before.dynamodb.reachable).toBe(true);
    expect((await cli(['local', 'down'])).exitCode).toBe(0);
    expect((await cli(['local', 'up'])).exitCode).toBe(0);
    const after = parseJson<{ dynamodb: { endpoint: string; reachable: boolean } }>(await cli(['local', 'status', '--json']));
    expect(after.dynamodb).toEqual(before.dynamodb);
    expect(await count()).toBe(5);
  }, 120_000);

  it('--prod refuses without a terminal unless --yes, and never uses the local stack\'s endpoint', async () => {
    const endpoint = /^AWS_ENDPOINT_URL_DYNAMODB=(.*)$/m.exec(await readFile(join(app.path, '.cruddur', 'local.env'), 'utf8'))?.[1] as string;
    // "Production" is the local dynalite, named explicitly as a real endpoint setting would be.
    const prod = { AWS_ENDPOINT_URL_DYNAMODB: endpoint, AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKE1234', AWS_SECRET_ACCESS_KEY: 'fakesecretfakesecret' };
    for (const args of [['ddb', 'drop', '--prod'], ['ddb', 'seed', '--prod'], ['ddb', 'schema-load', '--prod', '--recreate']]) {
      const refused = await cli(args, prod);
      expect(refused.exitCode).toBe(1);
      expect(refused.stderr.split('\n')[0]).toMatch(new RegExp(`^Error: Refusing to continue without confirmation: \\w.* on PRODUCTION DynamoDB table "${TABLE}"`));
    }
    expect(await count()).toBe(5);
    // Without an explicit endpoint, --prod leaves .cruddur/local.env's out: no local table is touched.
    const noEndpoint = await cli(['ddb', 'drop', '--prod']);
    expect(noEndpoint.stderr).toContain('(DynamoDB in us-east-1)');
    expect(await count()).toBe(5);
    const dropped = await cli(['ddb', 'drop', '--prod', '--yes', '--json'], prod);
    expect(dropped.exitCode, dropped.stderr).toBe(0);
    expect(parseJson(dropped)).toEqual({ table: TABLE, dropped: true });
  }, 120_000);

  it('a bad seed file is one line and a Try line, exit 1', async () => {
    const result = await cli(['ddb', 'seed', 'backend-flask/db/seed.sql']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^Error: backend-flask\/db\/seed\.sql: not valid JSON/),
      expect.stringMatching(/^Try: write an array of items/),
    ]);
    const usage = await cli(['ddb', 'scan']);
    expect(usage.exitCode).toBe(2);
  });

  it('local down --purge deletes .cruddur/dynamodb', async () => {
    expect(existsSync(join(app.path, '.cruddur', 'dynamodb'))).toBe(true);
    expect((await cli(['local', 'down', '--purge'])).exitCode).toBe(0);
    expect(existsSync(join(app.path, '.cruddur', 'dynamodb'))).toBe(false);
  });
});

describe('cruddur prepare with a Cognito pool (fake Cognito, test PostgreSQL, dynalite)', () => {
  let pg: TestPostgres;
  let fake: FakeAws;
  let dynamo: LocalDynamoHandle;
  let app: TempDir;

  beforeAll(async () => {
    [pg, fake, dynamo, app] = await Promise.all([startTestPostgres(), startFakeAws(), startLocalDynamo(), copyApp(FIXTURE_APP)]);
  });
  afterAll(async () => {
    await Promise.all([pg?.stop(), fake?.stop(), dynamo?.close(), app?.cleanup()]);
  });

  it('sets users.cognito_user_id from the pool, then loads and seeds DynamoDB', async () => {
    const { url, name } = await pg.createDatabase('prepare');
    const user = (sub: string, handle: string) => ({ Username: handle, Attributes: [{ Name: 'sub', Value: sub }, { Name: 'preferred_username', Value: handle }] });
    fake.onOperation('ListUsers', () => ({ body: JSON.stringify({ Users: [user('sub-one', 'demoone'), user('sub-two', 'demotwo')] }) }));
    const env = {
      CONNECTION_URL: url,
      AWS_COGNITO_USER_POOL_ID: 'us-east-1_DemoPool1',
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: fake.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKE1234',
      AWS_SECRET_ACCESS_KEY: 'fakesecretfakesecret',
      AWS_REGION: 'us-east-1',
    };
    const result = await runCommand(['prepare', '--json'], { cwd: app.path, env });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(parseJson<Tasks>(result).tasks.map((t) => [t.id, t.status, t.detail])).toEqual([
      ['db', 'done', expect.stringMatching(/: 4 seeded rows/)],
      ['cognito', 'done', '2 matched (2 updated, 0 unchanged), 0 unmatched'],
      ['ddb-schema', 'done', `${TABLE} created (ACTIVE)`],
      ['ddb-seed', 'done', `${TABLE}: 5 item(s)`],
    ]);
    expect(fake.operations()).toEqual(['ListUsers']);
    expect(await pg.query(name, 'SELECT handle, cognito_user_id FROM users ORDER BY handle')).toEqual([
      { handle: 'demoone', cognito_user_id: 'sub-one' },
      { handle: 'demotwo', cognito_user_id: 'sub-two' },
    ]);
    expect(existsSync(join(app.path, '.cruddur', 'local.json'))).toBe(false);
  }, 120_000);
});
