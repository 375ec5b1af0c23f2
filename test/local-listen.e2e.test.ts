// `local up --listen 127.0.0.2`: PostgreSQL, S3 and DynamoDB answer on 127.0.0.2 and not on 127.0.0.1,
// the PostgreSQL password is generated (not `postgres`) and kept, and local down/up keep the data.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canConnect } from '../src/local/net.js';
import { parseJson } from './support/cli.js';
import { runCommand } from './support/command.js';
import { copyApp, FIXTURE_APP, type TempDir } from './support/tmp.js';

const HOST = '127.0.0.2';

// Every command runs in this process (runCommand): local.e2e.test.ts runs `local up` and `local down` as processes.

describe('cruddur local up --listen', () => {
  let app: TempDir;
  const cli = (...args: string[]) => runCommand(args, { cwd: app.path });
  const localEnv = async () =>
    Object.fromEntries(
      (await readFile(join(app.path, '.cruddur', 'local.env'), 'utf8'))
        .split('\n')
        .map((l) => /^([A-Z0-9_]+)=(.*)$/.exec(l))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => [m[1], m[2]]),
    ) as Record<string, string>;
  const portOf = (url: string) => Number(new URL(url).port);

  beforeAll(async () => {
    app = await copyApp(FIXTURE_APP);
  });
  afterAll(async () => {
    await cli('local', 'down', '--purge');
    await app.cleanup();
  });

  it('binds every service to the address, with a generated password, and keeps data across down/up', async () => {
    const up = await cli('local', 'up', '--listen', HOST);
    expect(up.exitCode, up.stderr).toBe(0);
    const env = await localEnv();
    const url = new URL(env.CONNECTION_URL as string);
    expect(url.hostname).toBe(HOST);
    expect(url.password).not.toBe('postgres');
    expect(url.password.length).toBeGreaterThanOrEqual(20);
    expect(up.stdout).not.toContain(url.password);
    const ports = [portOf(env.CONNECTION_URL as string), portOf(env.AWS_ENDPOINT_URL_S3 as string), portOf(env.AWS_ENDPOINT_URL_DYNAMODB as string)];
    for (const port of ports) {
      expect(await canConnect(port, 2000, HOST)).toBe(true);
      expect(await canConnect(port, 2000, '127.0.0.1')).toBe(false);
    }
    const stored = JSON.parse(await readFile(join(app.path, '.cruddur', 'postgres.json'), 'utf8')) as { host: string; password: string };
    expect(stored).toMatchObject({ host: HOST, password: decodeURIComponent(url.password) });

    // The well-known password no longer opens it.
    const wellKnown = new pg.Client({ connectionString: `postgresql://postgres:postgres@${HOST}:${ports[0]}/postgres` });
    wellKnown.on('error', () => {});
    await expect(wellKnown.connect()).rejects.toThrow(/password authentication failed/);
    await wellKnown.end().catch(() => {});

    const client = new pg.Client({ connectionString: env.CONNECTION_URL });
    await client.connect();
    await client.query("CREATE TABLE kept (note text); INSERT INTO kept VALUES ('still here')");
    await client.end();
    const seeded = await cli('ddb', 'schema-load');
    expect(seeded.exitCode, seeded.stderr).toBe(0);
    expect((await cli('ddb', 'seed')).exitCode).toBe(0);

    expect((await cli('local', 'down')).exitCode).toBe(0);
    const again = await cli('local', 'up');
    expect(again.exitCode, again.stderr).toBe(0);
    const env2 = await localEnv();
    expect(env2.CONNECTION_URL).toBe(env.CONNECTION_URL);
    expect(env2.AWS_ENDPOINT_URL_DYNAMODB).toBe(env.AWS_ENDPOINT_URL_DYNAMODB);
    const check = new pg.Client({ connectionString: env2.CONNECTION_URL });
    await check.connect();
    expect((await check.query('SELECT note FROM kept')).rows).toEqual([{ note: 'still here' }]);
    await check.end();
    expect(parseJson<{ count: number }>(await cli('ddb', 'scan', 'cruddur-messages', '--json')).count).toBe(5);
    const status = parseJson<{ running: boolean; host: string }>(await cli('local', 'status', '--json'));
    expect(status).toMatchObject({ running: true, host: HOST });
  }, 240_000);

  it('refuses an address that is not an IP (usage, exit 2) and a change while running', async () => {
    const bad = await cli('local', 'up', '--listen', 'my laptop');
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr.split('\n')[0]).toBe('Error: --listen my laptop is not an IP address');
    const moved = await cli('local', 'up', '--listen', '127.0.0.1');
    expect(moved.exitCode).toBe(1);
    expect(moved.stderr).toContain(`The local stack is already running on ${HOST}`);
  }, 120_000);
});

describe('cruddur local up --port N when N+1 or N+2 is taken', () => {
  it('says which port and service before starting anything, and leaves no PostgreSQL behind', async () => {
    const { createServer } = await import('node:net');
    const { localPostgresStatus } = await import('../src/local/postgres.js');
    const app = await copyApp(FIXTURE_APP);
    const holders: import('node:net').Server[] = [];
    const hold = (port: number) =>
      new Promise<boolean>((resolve) => {
        const server = createServer();
        server.once('error', () => resolve(false));
        server.listen(port, '127.0.0.1', () => {
          holders.push(server);
          resolve(true);
        });
      });
    try {
      for (const [offset, service] of [[1, 'S3'], [2, 'DynamoDB']] as const) {
        // A held port P, with P - offset (the --port) free.
        let base = 0;
        for (let tries = 0; tries < 20 && base === 0; tries++) {
          const probe = createServer();
          const port = await new Promise<number>((resolve) => probe.listen(0, '127.0.0.1', () => resolve((probe.address() as { port: number }).port)));
          await new Promise<void>((resolve) => probe.close(() => resolve()));
          if (port - offset > 1024 && !(await canConnect(port - offset)) && (await hold(port))) base = port - offset;
        }
        expect(base).toBeGreaterThan(0);
        const result = await runCommand(['local', 'up', '--port', String(base)], { cwd: app.path });
        expect(result.exitCode, result.stderr).toBe(1);
        expect(result.stderr.split('\n')[0]).toBe(
          `Error: Port ${base + offset} on 127.0.0.1 (the local ${service} API: --port ${base} uses ${base}, ${base + 1} and ${base + 2}) is taken by another program`,
        );
        expect(result.stderr).toMatch(/^Try: /m);
        expect(localPostgresStatus(app.path).running).toBe(false);
      }
    } finally {
      for (const server of holders) await new Promise<void>((resolve) => server.close(() => resolve()));
      await runCommand(['local', 'down', '--purge'], { cwd: app.path });
      await app.cleanup();
    }
  }, 120_000);
});
