import type { S3Client } from '@aws-sdk/client-s3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pendingPath } from '../../src/frontend/pending.js';
import { fakeEc2 } from '../fakes/ec2.js';
import { DISTRIBUTION_ID, invalidationRequests, routeCloudFront } from '../frontend/cloudfront-fake.js';
import { startFakeAws, type FakeAws } from '../support/aws-fake.js';
import { parseJson } from '../support/cli.js';
import { runCommand } from '../support/command.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { startTestPostgres, type TestPostgres } from '../support/postgres.js';
import { startTestS3, type TestS3 } from '../support/s3.js';
import { copyApp, type TempDir } from '../support/tmp.js';
import { bucketKeys, recordFigures, resetBucket, siteTree, writeTree } from './helpers.js';

/**
 * Production guards and dry runs. Without a terminal (runCommand, like runCli, gives the command pipes, no
 * TTY; these run in the test process, test/support/command.ts), every destructive
 * command refuses unless --yes / --auto-approve, before writing anything; --dry-run writes nothing:
 * asserted on the S3 request log (only GET/HEAD reach s3rver) and on PostgreSQL's catalogue and rows.
 */
interface ErrorJson {
  error: { code: string; message: string; suggestion: string };
}

let s3: TestS3;
let proxy: FaultProxy;
let fake: FakeAws;
let pg: TestPostgres;
let client: S3Client;
let app: TempDir;
const figures = { guardedCommands: [] as string[], refusals: 0, dryRuns: [] as string[], writesDuringDryRuns: 0, s3RequestsDuringDryRuns: 0 };

const s3env = (extra: Record<string, string> = {}) => ({ ...s3.env, AWS_ENDPOINT_URL_S3: proxy.endpoint, AWS_ENDPOINT_URL_CLOUDFRONT: fake.endpoint, ...extra });

/** Everything a guarded database command could change: databases, tables, columns, row counts, recorded migrations. */
async function dbState(database: string): Promise<string> {
  // The server is the run's (other files create and drop their own databases at the same time): the databases
  // this file could be changing are its own (`prod_*`), the target and the fixture's `cruddur`.
  const databases = await pg.query<{ datname: string }>('postgres', "SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE 'prod\\_%' OR datname = 'cruddur' ORDER BY datname", [database]);
  if (!databases.some((d) => d.datname === database)) return JSON.stringify({ databases });
  const columns = await pg.query(database, "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2");
  const tables = await pg.query<{ t: string }>(database, "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1");
  const counts: Record<string, unknown> = {};
  for (const { t } of tables) counts[t] = (await pg.query(database, `SELECT count(*)::int AS n FROM public."${t}"`))[0];
  const migrations = tables.some((t) => t.t === 'schema_migrations') ? await pg.query(database, 'SELECT version, checksum, applied_at FROM schema_migrations ORDER BY version') : [];
  return JSON.stringify({ databases, columns, counts, migrations });
}

/** A database that looks like production: schema, a migration applied, one row. */
async function productionLike(): Promise<{ name: string; url: string }> {
  const db = await pg.createDatabase('prod');
  await pg.query(db.name, 'CREATE TABLE users (uuid uuid PRIMARY KEY, handle text NOT NULL)');
  await pg.query(db.name, "INSERT INTO users VALUES ('8d1c3c6e-0b0e-4f7a-9a3c-1d2b3c4d5e6f', 'andrewbrown')");
  return db;
}

beforeAll(async () => {
  [s3, fake, pg, app] = await Promise.all([startTestS3(['prod-site', 'uploads', 'assets']), startFakeAws(), startTestPostgres(), copyApp()]);
  proxy = await startFaultProxy(s3.endpoint);
  routeCloudFront(fake);
  fakeEc2(fake, 'sg-0db', { rules: [{ id: 'sgr-0gitpod', cidrIpv4: '198.51.100.1/32', port: 5432, description: 'GITPOD' }] });
  client = s3.client();
});

afterAll(async () => {
  await recordFigures('guards', figures);
  await Promise.all([proxy?.stop(), fake?.stop(), pg?.stop(), app?.cleanup()]);
  await s3?.stop();
});

describe('production guards: no TTY and no --yes means no change', () => {
  it.each<[string, string[]]>([
    ['db drop --prod', ['db', 'drop', '--prod']],
    ['db setup --prod', ['db', 'setup', '--prod']],
    ['db schema-load --prod', ['db', 'schema-load', '--prod']],
    ['db seed --prod', ['db', 'seed', '--prod']],
    ['db kill-all --prod', ['db', 'kill-all', '--prod']],
    ['db rollback --prod', ['db', 'rollback', '--prod']],
  ])('%s refuses with a one-line error naming --yes, and the database is untouched', async (name, args) => {
    const db = await productionLike();
    const before = await dbState(db.name);
    const result = await runCommand([...args, '--json'], { cwd: app.path, env: { PROD_CONNECTION_URL: db.url } });
    expect(result.exitCode, result.stderr).toBe(1);
    const error = parseJson<ErrorJson>(result).error;
    expect(error.code).toBe('CONFIRMATION_REQUIRED');
    expect(error.message).toMatch(/^Refusing to continue without confirmation: .* on PRODUCTION database "prod_[0-9a-f]+"/);
    expect(error.suggestion).toMatch(/--yes/);
    expect(await dbState(db.name)).toBe(before);
    figures.guardedCommands.push(name);
    figures.refusals += 1;
  });

  it('db drop --prod --yes does drop: the guard asks, it does not block', async () => {
    const db = await productionLike();
    const result = await runCommand(['db', 'drop', '--prod', '--yes'], { cwd: app.path, env: { PROD_CONNECTION_URL: db.url } });
    expect(result.exitCode, result.stderr).toBe(0);
    expect((await pg.query('postgres', 'SELECT 1 FROM pg_database WHERE datname = $1', [db.name])).length).toBe(0);
  });

  it('frontend sync without --auto-approve sends no write to S3 and no invalidation', async () => {
    await resetBucket(client, 'prod-site', { 'old.js': Buffer.from('old') });
    await writeTree(join(app.path, 'guard-build'), siteTree(1));
    const from = proxy.log.length;
    const invalidations = invalidationRequests(fake).length;
    const result = await runCommand(['frontend', 'sync', '--bucket', 'prod-site', '--build-dir', 'guard-build', '--distribution-id', DISTRIBUTION_ID, '--json'], { cwd: app.path, env: s3env() });
    expect(result.exitCode).toBe(1);
    expect(parseJson<ErrorJson>(result).error).toMatchObject({ code: 'CONFIRMATION_REQUIRED', suggestion: expect.stringMatching(/--auto-approve/) });
    expect(proxy.log.slice(from).filter((r) => !['GET', 'HEAD'].includes(r.method))).toEqual([]);
    expect(invalidationRequests(fake)).toHaveLength(invalidations);
    expect((await bucketKeys(client, 'prod-site'))).toEqual(['old.js']);
    expect(existsSync(pendingPath(app.path, 'prod-site'))).toBe(false);
    figures.guardedCommands.push('frontend sync');
    figures.refusals += 1;
  });

  it('avatar clear --all without --yes sends no write to S3', async () => {
    await resetBucket(client, 'uploads', { 'a.jpg': Buffer.from('a') });
    await resetBucket(client, 'assets', { 'avatars/a.jpg': Buffer.from('a') });
    const from = proxy.log.length;
    const result = await runCommand(['avatar', 'clear', '--all', '--json'], {
      cwd: app.path,
      env: s3env({ UPLOADS_BUCKET_NAME: 'uploads', ASSETS_BUCKET_NAME: 'assets', CLOUDFRONT_DISTRIBUTION_ID: DISTRIBUTION_ID }),
    });
    expect(result.exitCode).toBe(1);
    expect(parseJson<ErrorJson>(result).error).toMatchObject({ code: 'CONFIRMATION_REQUIRED', suggestion: expect.stringMatching(/--yes/) });
    const seen = proxy.log.slice(from);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.filter((r) => !['GET', 'HEAD'].includes(r.method))).toEqual([]);
    expect((await bucketKeys(client, 'uploads'))).toEqual(['a.jpg']);
    figures.guardedCommands.push('avatar clear --all');
    figures.refusals += 1;
  });
});

describe('--dry-run writes nothing', () => {
  it('frontend sync --dry-run: only GET/HEAD reach S3, no invalidation, no pending file, yet the plan is complete', async () => {
    await resetBucket(client, 'prod-site', { 'old.js': Buffer.from('old'), 'index.html': Buffer.from('stale') });
    await writeTree(join(app.path, 'dry-build'), siteTree(2));
    const from = proxy.log.length;
    const invalidations = invalidationRequests(fake).length;
    const result = await runCommand(['frontend', 'sync', '--bucket', 'prod-site', '--build-dir', 'dry-build', '--distribution-id', DISTRIBUTION_ID, '--dry-run', '--json'], { cwd: app.path, env: s3env() });
    expect(result.exitCode, result.stderr).toBe(0);
    const json = parseJson<{ dryRun: boolean; counts: Record<string, number> }>(result);
    expect(json.dryRun).toBe(true);
    expect(json.counts).toMatchObject({ create: Object.keys(siteTree(2)).length - 1, update: 1, delete: 1 });
    const seen = proxy.log.slice(from);
    figures.s3RequestsDuringDryRuns += seen.length;
    const writes = seen.filter((r) => !['GET', 'HEAD'].includes(r.method));
    figures.writesDuringDryRuns += writes.length;
    expect(seen.length).toBeGreaterThan(0);
    expect(writes).toEqual([]);
    expect(invalidationRequests(fake)).toHaveLength(invalidations);
    expect(existsSync(pendingPath(app.path, 'prod-site'))).toBe(false);
    expect((await bucketKeys(client, 'prod-site')).sort()).toEqual(['index.html', 'old.js']);
    figures.dryRuns.push('frontend sync --dry-run');
  });

  it('db migrate --dry-run on a database never migrated: prints the SQL, creates not even schema_migrations', async () => {
    const db = await productionLike();
    const before = await dbState(db.name);
    const result = await runCommand(['db', 'migrate', '--prod', '--dry-run'], { cwd: app.path, env: { PROD_CONNECTION_URL: db.url } });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^-- backend-flask\/db\/migrations\/\S+/m);
    expect(await dbState(db.name)).toBe(before);
    figures.dryRuns.push('db migrate --dry-run');
  });

  it('db rollback --dry-run: prints the down SQL, the schema and schema_migrations stay as they are', async () => {
    const db = await productionLike();
    const migrate = await runCommand(['db', 'migrate', '--url', db.url], { cwd: app.path, env: {} });
    expect(migrate.exitCode, migrate.stderr).toBe(0);
    const before = await dbState(db.name);
    expect(before).toMatch(/"version"/);
    const result = await runCommand(['db', 'rollback', '--prod', '--dry-run', '--steps', '2', '--json'], { cwd: app.path, env: { PROD_CONNECTION_URL: db.url } });
    expect(result.exitCode, result.stderr).toBe(0);
    const json = parseJson<{ dryRun: boolean; rolledBack: Array<{ sql: string }> }>(result);
    expect(json.dryRun).toBe(true);
    expect(json.rolledBack.length).toBeGreaterThan(0);
    expect(await dbState(db.name)).toBe(before);
    figures.dryRuns.push('db rollback --dry-run');
  });

  it('rds update-sg --dry-run: only the Describe call reaches EC2', async () => {
    const from = fake.requests.length;
    const result = await runCommand(['rds', 'update-sg', '--dry-run'], {
      cwd: app.path,
      env: { AWS_ENDPOINT_URL_EC2: fake.endpoint, AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', AWS_REGION: 'us-east-1', DB_SG_ID: 'sg-0db', GITPOD_IP: '203.0.113.7' },
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(fake.operations().slice(from)).toEqual(['DescribeSecurityGroupRules']);
    figures.dryRuns.push('rds update-sg --dry-run');
  });
});
