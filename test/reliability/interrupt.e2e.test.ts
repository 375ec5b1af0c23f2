import type { S3Client } from '@aws-sdk/client-s3';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DISTRIBUTION_ID, routeCloudFront } from '../frontend/cloudfront-fake.js';
import { startFakeAws, type FakeAws } from '../support/aws-fake.js';
import { parseJson, runCli } from '../support/cli.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { startTestPostgres, type TestPostgres } from '../support/postgres.js';
import { startTestS3, type TestS3 } from '../support/s3.js';
import { copyApp, FIXTURE_APP, type TempDir } from '../support/tmp.js';
import { asEntries, bucketContents, bucketKeys, checkOutput, makeProject, recordFigures, siteTree, spawnCli, tempFilesUnder, writeTree } from './helpers.js';

/**
 * Ctrl-C (SIGINT) while work is in flight: exit 130 with a message, no temp files left, nothing
 * half-recorded, and the next run finishes the job.
 */
let s3: TestS3;
let proxy: FaultProxy;
let fake: FakeAws;
let pg: TestPostgres;
let client: S3Client;
let project: TempDir;
const figures = { interrupts: 0, exit130: 0, tempFilesLeft: 0 };

/** Polls `check` until it returns true: for events only visible from outside (a query running in PostgreSQL). */
async function until(check: () => Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * Runs the CLI with `args` as a process, sends SIGINT once `running` sees its statement active in PostgreSQL, and
 * checks what every interrupted command owes: exit 130 and the interrupt line, and no second error (what failed
 * because of the signal, a cancelled query or a killed child, is not another thing to say). Returns the result.
 */
async function interruptWhileRunning(args: string[], options: { cwd: string; env: Record<string, string> }, running: () => Promise<boolean>, what: string) {
  const child = spawnCli(args, options);
  await until(running, what);
  child.kill('SIGINT');
  const result = await child;
  checkOutput(result, `the interrupted ${args.slice(0, 2).join(' ')}`);
  figures.interrupts += 1;
  expect(result.exitCode, result.stderr).toBe(130);
  figures.exit130 += 1;
  expect(result.stderr).toMatch(/^Interrupted \(SIGINT\): stopping; nothing half-done is kept\. Re-run the command to finish\.$/m);
  expect(result.stderr).not.toMatch(/^(Error|Try): /m);
  return result;
}

beforeAll(async () => {
  [s3, fake, project, pg] = await Promise.all([startTestS3(['site']), startFakeAws(), makeProject(), startTestPostgres()]);
  proxy = await startFaultProxy(s3.endpoint);
  routeCloudFront(fake);
  client = s3.client();
});

afterAll(async () => {
  await recordFigures('interrupt', figures);
  await Promise.all([proxy?.stop(), fake?.stop(), project?.cleanup(), pg?.stop()]);
  await s3?.stop();
});

describe('Ctrl-C (SIGINT)', () => {
  it('during frontend sync uploads (500 ms per request): exit 130, a message, no temp files, and the re-run converges', async () => {
    const tree = siteTree(3);
    await writeTree(join(project.path, 'build'), tree);
    const args = ['frontend', 'sync', '--bucket', 'site', '--build-dir', 'build', '--distribution-id', DISTRIBUTION_ID, '--auto-approve'];
    const env = { ...s3.env, AWS_ENDPOINT_URL_S3: proxy.endpoint, AWS_ENDPOINT_URL_CLOUDFRONT: fake.endpoint };
    proxy.configure({ latencyMs: 500 });
    const child = spawnCli(args, { cwd: project.path, env });
    let sent = false;
    proxy.hooks.request = (r) => {
      // The first upload has reached the proxy: the sync is mid-apply.
      if (r.method === 'PUT' && !sent) {
        sent = true;
        child.kill('SIGINT');
      }
    };
    const result = await child;
    proxy.hooks = {};
    proxy.configure({});
    checkOutput(result, 'the interrupted sync');
    figures.interrupts += 1;
    expect(sent).toBe(true);
    expect(result.exitCode, result.stderr).toBe(130);
    figures.exit130 += 1;
    // One thing said: what failed because of the signal (a cancelled query, a killed child) is no second error.
    expect(result.stderr).not.toMatch(/^(Error|Try): /m);
    expect(result.stderr).toMatch(/^Interrupted \(SIGINT\): stopping; nothing half-done is kept\. Re-run the command to finish\.$/m);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const temps = await tempFilesUnder(project.path);
    figures.tempFilesLeft += temps.length;
    expect(temps).toEqual([]);
    // Not every upload happened: the interrupt landed mid-apply.
    expect((await bucketKeys(client, 'site')).length).toBeLessThan(Object.keys(tree).length);

    const rerun = await runCli([...args, '--json'], { cwd: project.path, env });
    expect(rerun.exitCode, rerun.stderr).toBe(0);
    expect(asEntries(await bucketContents(client, 'site'))).toEqual(asEntries(tree));
    expect(parseJson<{ invalidation: { status: string; paths: string[] } }>(rerun).invalidation.status).toBe('created');
  });

  it('during a multipart upload: the upload is aborted on the way out (no billed orphan parts), and the re-run converges', async () => {
    const big = Buffer.alloc(9 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big.writeUInt32LE((i * 2654435761) >>> 0, i);
    const tree = { 'index.html': Buffer.from('<!doctype html><video src="/media/intro.bin">'), 'media/intro.bin': big };
    await writeTree(join(project.path, 'big-build'), tree);
    const args = ['frontend', 'sync', '--bucket', 'site', '--build-dir', 'big-build', '--auto-approve', '--max-delete', '100'];
    const env = { ...s3.env, AWS_ENDPOINT_URL_S3: proxy.endpoint };
    proxy.configure({ latencyMs: 200 });
    const from = proxy.log.length;
    const child = spawnCli(args, { cwd: project.path, env });
    proxy.hooks.request = (r) => {
      if (r.method === 'PUT' && r.query.includes('partNumber=1') && proxy.hooks.request) {
        proxy.hooks = {};
        child.kill('SIGINT');
      }
    };
    const result = await child;
    proxy.hooks = {};
    proxy.configure({});
    checkOutput(result, 'the interrupted multipart sync');
    figures.interrupts += 1;
    expect(result.exitCode, result.stderr).toBe(130);
    figures.exit130 += 1;
    // One thing said: what failed because of the signal (a cancelled query, a killed child) is no second error.
    expect(result.stderr).not.toMatch(/^(Error|Try): /m);
    const seen = proxy.log.slice(from);
    const created = seen.findIndex((r) => r.method === 'POST' && r.query.includes('uploads'));
    expect(created).toBeGreaterThanOrEqual(0);
    expect(seen.slice(created).some((r) => r.method === 'DELETE' && r.query.includes('uploadId='))).toBe(true);
    const temps = await tempFilesUnder(project.path);
    figures.tempFilesLeft += temps.length;
    expect(temps).toEqual([]);

    const rerun = await runCli(args, { cwd: project.path, env });
    expect(rerun.exitCode, rerun.stderr).toBe(0);
    const contents = await bucketContents(client, 'site');
    expect(Object.keys(contents).sort()).toEqual(['index.html', 'media/intro.bin']);
    expect(contents['media/intro.bin']?.equals(big)).toBe(true);
  });

  it('during avatar upload of a large image: the multipart upload is aborted on the way out', async () => {
    const { default: sharp } = await import('sharp');
    const big = await sharp({ create: { width: 2048, height: 1536, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 60 } } })
      .png({ compressionLevel: 0 })
      .toBuffer();
    expect(big.length).toBeGreaterThan(8 * 1024 * 1024);
    await writeFile(join(project.path, 'big.png'), big);
    proxy.configure({ latencyMs: 200 });
    const from = proxy.log.length;
    const child = spawnCli(['avatar', 'upload', 'big.png'], { cwd: project.path, env: { ...s3.env, AWS_ENDPOINT_URL_S3: proxy.endpoint, UPLOADS_BUCKET_NAME: 'site' } });
    proxy.hooks.request = (r) => {
      if (r.method === 'PUT' && r.query.includes('partNumber=') && proxy.hooks.request) {
        proxy.hooks = {};
        child.kill('SIGINT');
      }
    };
    const result = await child;
    proxy.hooks = {};
    proxy.configure({});
    checkOutput(result, 'the interrupted avatar upload');
    figures.interrupts += 1;
    expect(result.exitCode, result.stderr).toBe(130);
    figures.exit130 += 1;
    // One thing said: what failed because of the signal (a cancelled query, a killed child) is no second error.
    expect(result.stderr).not.toMatch(/^(Error|Try): /m);
    expect(result.stderr).toMatch(/^Interrupted \(SIGINT\)/m);
    const seen = proxy.log.slice(from);
    expect(seen.some((r) => r.method === 'POST' && r.query.includes('uploads'))).toBe(true);
    expect(seen.some((r) => r.method === 'DELETE' && r.query.includes('uploadId='))).toBe(true);
    expect((await bucketKeys(client, 'site'))).not.toContain('big.png');
  });

  it('during db migrate: exit 130, the migration rolled back and not recorded, the lock released, and the next run applies it', async () => {
    const db = await pg.createDatabase('interrupt');
    const dir = join(project.path, 'backend-flask', 'db', 'migrations');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, '20260101000000_create_posts.sql'), '-- migrate:up\nCREATE TABLE posts (id int);\n-- migrate:down\nDROP TABLE posts;\n');
    // Sleeps while the table go_slow exists, so only the first run is slow.
    await writeFile(
      join(dir, '20260102000000_slow_backfill.sql'),
      "-- migrate:up\nCREATE TABLE backfill (id int);\nSELECT pg_sleep(CASE WHEN to_regclass('public.go_slow') IS NULL THEN 0 ELSE 120 END);\n-- migrate:down\nDROP TABLE backfill;\n",
    );
    await pg.query(db.name, 'CREATE TABLE go_slow ()');
    const result = await interruptWhileRunning(['db', 'migrate', '--url', db.url], { cwd: project.path, env: {} }, async () => (await pg.query(db.name, "SELECT 1 FROM pg_stat_activity WHERE query LIKE '%pg_sleep(CASE%' AND state = 'active' AND query NOT LIKE '%pg_stat_activity%'")).length > 0, 'the slow migration to run');
    expect(result.stdout).not.toMatch(/slow_backfill/);
    const temps = await tempFilesUnder(project.path);
    figures.tempFilesLeft += temps.length;
    expect(temps).toEqual([]);

    // The server stopped the statement: no backend of ours is left holding the lock or the transaction.
    await pg.query(db.name, 'DROP TABLE go_slow');
    // (The monitoring queries mention pg_sleep too, and a just-closed monitoring backend lingers: leave them out.)
    const stuck = () => pg.query(db.name, "SELECT pid FROM pg_stat_activity WHERE query LIKE '%pg_sleep(CASE%' AND query NOT LIKE '%pg_stat_activity%'");
    await until(async () => (await stuck()).length === 0, 'the interrupted backend to end (it would hold the migration lock for 120 s)', 5_000);
    expect((await pg.query<{ version: string }>(db.name, 'SELECT version FROM schema_migrations ORDER BY version')).map((r) => r.version)).toEqual(['20260101000000']);
    expect(await pg.query(db.name, "SELECT to_regclass('public.backfill') AS t")).toEqual([{ t: null }]);

    const rerun = await runCli(['db', 'migrate', '--url', db.url, '--json'], { cwd: project.path, env: {}, timeoutMs: 20_000 });
    expect(rerun.exitCode, rerun.stderr).toBe(0);
    expect(parseJson<{ applied: Array<{ version: string }> }>(rerun).applied.map((s) => s.version)).toEqual(['20260102000000']);
    expect((await pg.query<{ version: string }>(db.name, 'SELECT version FROM schema_migrations ORDER BY version')).map((r) => r.version)).toEqual(['20260101000000', '20260102000000']);
  });

  it('during db setup (its task list running): exit 130 from cruddur, not 127 from the task-list library, and one line', async () => {
    const app = await copyApp(FIXTURE_APP);
    try {
      const db = await pg.createDatabase('interrupt_setup');
      await writeFile(join(app.path, 'backend-flask', 'db', 'seed.sql'), 'SELECT pg_sleep(60);\n');
      // Watched from the maintenance database: db setup drops and re-creates its own. Before, this exited 127:
      // listr2's own SIGINT listener called process.exit(127), racing the interrupt handler.
      await interruptWhileRunning(['db', 'setup'], { cwd: app.path, env: { CONNECTION_URL: db.url } }, async () => (await pg.query('postgres', `SELECT 1 FROM pg_stat_activity WHERE datname = '${db.name}' AND query LIKE 'SELECT pg_sleep(60)%' AND state = 'active'`)).length > 0, 'the seed to run');
    } finally {
      await app.cleanup();
    }
  });
});
