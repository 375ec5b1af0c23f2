import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive, waitForExitOf } from '../src/local/state.js';
import { parseJson, runCli } from './support/cli.js';
import { runCommand } from './support/command.js';
import { copyApp, FIXTURE_APP, type TempDir } from './support/tmp.js';

interface UpJson {
  status: string;
  recoveredStale: boolean;
  state: { pid: number; postgres: { port: number; pid: number }; s3: { port: number }; buckets: { uploads: string; assets: string; site: string } };
  env: Record<string, string>;
}

// Commands run in this process (runCommand): `local up` leaves its supervisor detached and unreferenced, so no
// handle, timer or listener of one call reaches the next. The first (cold) `local up` and one `local down` run as
// processes: the end-to-end case of each.
describe('cruddur local up/down/status', () => {
  let app: TempDir;
  const cli = (...args: string[]) => runCommand(args, { cwd: app.path });
  const proc = (...args: string[]) => runCli(args, { cwd: app.path });
  const up = async (run = cli) => {
    const result = await run('local', 'up', '--json');
    expect(result.exitCode, result.stderr).toBe(0);
    return parseJson<UpJson>(result);
  };
  const s3For = (env: Record<string, string>) =>
    new S3Client({ endpoint: env.AWS_ENDPOINT_URL_S3, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  // --json output is redacted (the URL password is ***), so tests build the URL from the port.
  const dbUrl = (result: UpJson) => `postgresql://postgres:postgres@127.0.0.1:${result.state.postgres.port}/cruddur`;
  const sql = async (url: string, text: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(text)).rows;
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    app = await copyApp(FIXTURE_APP);
  });
  afterAll(async () => {
    await cli('local', 'down');
    await app.cleanup();
  });

  it('starts once, reports the running stack on a second up, and writes local.env', async () => {
    const first = await up(proc);
    expect(first.status).toBe('started');
    const second = await up();
    expect(second.status).toBe('already-running');
    expect(second.state.pid).toBe(first.state.pid);
    const localEnv = await readFile(join(app.path, '.cruddur', 'local.env'), 'utf8');
    expect(localEnv).toContain(`CONNECTION_URL=postgresql://postgres:postgres@127.0.0.1:${first.state.postgres.port}/cruddur`);
    expect(localEnv).toContain(`AWS_ENDPOINT_URL_S3=http://127.0.0.1:${first.state.s3.port}`);
    const status = parseJson<{ running: boolean }>(await cli('local', 'status', '--json'));
    expect(status.running).toBe(true);
  });

  it('recovers from a killed supervisor: stale state detected, PostgreSQL reused, stack restarted', async () => {
    const before = await up();
    await sql(dbUrl(before), "CREATE TABLE kept (note text); INSERT INTO kept VALUES ('still here')");
    process.kill(before.state.pid, 'SIGKILL');
    // A kill is not done when process.kill returns: wait until it is (a status process used to take that long to start).
    expect(await waitForExitOf(before.state.pid, 10_000)).toBe(true);
    const status = parseJson<{ running: boolean; stale: boolean }>(await cli('local', 'status', '--json'));
    expect(status).toMatchObject({ running: false, stale: true });
    const after = await up();
    expect(after).toMatchObject({ status: 'started', recoveredStale: true });
    expect(after.state.pid).not.toBe(before.state.pid);
    expect(after.state.postgres).toEqual(before.state.postgres);
    expect(after.state.s3.port).toBe(before.state.s3.port);
    expect(await sql(dbUrl(after), 'SELECT note FROM kept')).toEqual([{ note: 'still here' }]);
  });

  // Also the down/up case (once its own test): rows (the seeded users) and objects (thumbnail, site page) are kept.
  it('every command works against the stack with no flags: db setup, avatar upload --wait, frontend sync; rows and objects survive down/up', async () => {
    const sharp = (await import('sharp')).default;
    await sharp({ create: { width: 640, height: 480, channels: 3, background: '#4466aa' } }).jpeg().toFile(join(app.path, 'me.jpg'));
    const stack = await up();
    const setup = await cli('db', 'setup', '--json');
    expect(setup.exitCode, setup.stderr).toBe(0);
    expect(parseJson<{ seededRows: number }>(setup).seededRows).toBe(4);
    // Three uploads in a row: each waits for its own thumbnail from the worker.
    for (let i = 0; i < 3; i++) {
      const uploaded = await cli('avatar', 'upload', 'me.jpg', '--wait', '--timeout', '20', '--json');
      expect(uploaded.exitCode, uploaded.stderr).toBe(0);
      expect(parseJson<{ avatar: { appeared: boolean; key: string } }>(uploaded).avatar).toMatchObject({ appeared: true, key: 'avatars/me.jpg' });
    }
    const built = await runCommand(['frontend', 'static-build', '--allow-missing'], { cwd: app.path, env: { REACT_APP_BACKEND_URL: 'http://localhost:4567' } });
    expect(built.exitCode, built.stderr).toBe(0);
    const synced = await cli('frontend', 'sync', '--auto-approve', '--json');
    expect(synced.exitCode, synced.stderr).toBe(0);
    expect(parseJson<{ counts: Record<string, number> }>(synced).counts).toMatchObject({ create: 6 });
    expect(synced.stderr).toContain('No CloudFront distribution configured');
    expect((await proc('local', 'down')).exitCode).toBe(0);
    expect(isAlive(stack.state.pid)).toBe(false);
    expect(isAlive(stack.state.postgres.pid)).toBe(false);

    const again = await up();
    expect(again).toMatchObject({ status: 'started', recoveredStale: false });
    expect(again.state.buckets).toEqual(stack.state.buckets);
    expect(await sql(dbUrl(again), 'SELECT count(*)::int AS n FROM users')).toEqual([{ n: 2 }]);
    const s3 = s3For({ AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${again.state.s3.port}` });
    const thumb = await s3.send(new GetObjectCommand({ Bucket: again.state.buckets.assets, Key: 'avatars/me.jpg' }));
    const meta = await sharp(Buffer.from(await (thumb.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray())).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 512, 512]);
    const page = await s3.send(new GetObjectCommand({ Bucket: again.state.buckets.site, Key: 'index.html' }));
    expect(page.ContentType).toMatch(/^text\/html/);
    s3.destroy();
    const resync = parseJson<{ counts: Record<string, number>; uploaded: string[]; deleted: string[] }>(await cli('frontend', 'sync', '--auto-approve', '--json'));
    expect(resync.counts).toMatchObject({ create: 0, update: 0, delete: 0, no_change: 6 });
    expect([resync.uploaded, resync.deleted]).toEqual([[], []]);
  });

  // Last: it leaves the stack stopped (before the full flow, that flow had to start it once more).
  it('down stops PostgreSQL too, even one that db commands started on demand', async () => {
    const running = await up();
    expect((await cli('local', 'down')).exitCode).toBe(0);
    expect(isAlive(running.state.postgres.pid)).toBe(false);
    const onDemand = await runCommand(['db', 'status', '--json'], { cwd: app.path, env: { CONNECTION_URL: '' } });
    expect(onDemand.exitCode, onDemand.stderr).toBe(0);
    const down = parseJson<{ status: string }>(await cli('local', 'down', '--json'));
    expect(down.status).toBe('stopped');
    expect(parseJson<{ status: string }>(await cli('local', 'down', '--json')).status).toBe('not-running');
  });
});
