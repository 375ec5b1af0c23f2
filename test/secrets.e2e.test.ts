// Secret hygiene: configure every kind of secret the CLI handles, run a representative set of commands
// (human and --json, success and failure) and scan every output: stdout, stderr, --json, the sync
// changeset file and the GitHub step summary. runCli and runCommand also check stdout/stderr against registerSecret.
// The commands run in the test process (runCommand), except three DEBUG=cruddur* cases run as processes
// (runCli): in-process the redactor keeps the secrets of earlier calls (the docker password ECR gave, passwords
// read from URLs), so only a fresh process shows what a redactor hides with just its own call's knowledge.
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeEc2 } from './fakes/ec2.js';
import { fakeSts } from './fakes/identity.js';
import { DISTRIBUTION_ID, routeCloudFront } from './frontend/cloudfront-fake.js';
import { startFakeAws, type FakeAws } from './support/aws-fake.js';
import { registerSecret, runCli, type CliResult } from './support/cli.js';
import { runCommand } from './support/command.js';
import { startTestPostgres, type TestPostgres } from './support/postgres.js';
import { startTestS3, type TestS3 } from './support/s3.js';
import { copyApp, FIXTURE_APP, parseEnvFile, tempDir, type TempDir } from './support/tmp.js';

const DB_PASSWORD = 'Loc4l-DbPass-7f3a9c';
const PROD_PASSWORD = 'Pr0d-DbPass-e81b44';
const KEY_ID = 'AKIASECRETHYGIENE001';
const SECRET_KEY = 'hyg1ene/SecretAccessKey+abcdefghijklmnopq';
const SESSION_TOKEN = 'IQoJb3JpZ2luX2VjEHygieneSessionToken0123456789abcdef';
const DOCKER_PASSWORD = 'ecr-Docker-Pa55-hygiene-9f8e7d';
const SECRETS = [DB_PASSWORD, PROD_PASSWORD, SECRET_KEY, SESSION_TOKEN, DOCKER_PASSWORD, Buffer.from(`AWS:${DOCKER_PASSWORD}`).toString('base64')];
// The access key id is an identifier, not a secret (AWS prints it in errors and `aws configure list`), so it is not scanned.
for (const secret of SECRETS) registerSecret(secret);

/** Every output scanned, by kind. The figures go to bench/RESULTS.md. */
const scanned: Record<string, number> = { stdout: 0, stderr: 0, json: 0, changeset: 0, 'step summary': 0, 'env file': 0 };

function scan(kind: keyof typeof scanned, where: string, text: string): void {
  scanned[kind] = (scanned[kind] ?? 0) + 1;
  for (const secret of SECRETS) {
    // Also the URL-encoded form, as a password would appear inside a connection URL.
    for (const form of new Set([secret, encodeURIComponent(secret)])) {
      expect(text.includes(form), `${secret.slice(0, 4)}… leaked in ${where}`).toBe(false);
    }
  }
}

function scanRun(label: string, result: CliResult, json = false): CliResult {
  scan(json ? 'json' : 'stdout', `stdout of ${label}`, result.stdout);
  scan('stderr', `stderr of ${label}`, result.stderr);
  return result;
}

describe('secret hygiene: no configured secret in any output', () => {
  let pg: TestPostgres;
  let s3: TestS3;
  let fake: FakeAws;
  let app: TempDir;
  let bin: TempDir;
  let localUrl: string;
  let prodUrl: string;
  const state = { rules: [{ id: 'sgr-0aaa', port: 5432, cidrIpv4: '198.51.100.1/32', description: 'GITPOD' }] };

  beforeAll(async () => {
    [pg, s3, fake] = await Promise.all([startTestPostgres(), startTestS3(['hygiene-site', 'hygiene-uploads', 'hygiene-assets']), startFakeAws()]);
    // Roles whose passwords are the secrets: the CLI must connect with them and never print them.
    await pg.query('postgres', `CREATE ROLE hygiene LOGIN SUPERUSER PASSWORD '${DB_PASSWORD}'`);
    await pg.query('postgres', `CREATE ROLE hygiene_prod LOGIN SUPERUSER PASSWORD '${PROD_PASSWORD}'`);
    const at = (user: string, password: string, db: string) => {
      const url = new URL(pg.url(db));
      url.username = user;
      url.password = password;
      return url.toString();
    };
    localUrl = at('hygiene', DB_PASSWORD, 'hygiene_local');
    prodUrl = at('hygiene_prod', PROD_PASSWORD, 'hygiene_prod');
    await pg.query('postgres', 'CREATE DATABASE hygiene_prod');

    fakeSts(fake, '123456789012', 'arn:aws:iam::123456789012:user/hygiene');
    fakeEc2(fake, 'sg-0hygiene', state);
    routeCloudFront(fake);
    fake.onOperation('GetAuthorizationToken', () => ({
      body: JSON.stringify({ authorizationData: [{ authorizationToken: Buffer.from(`AWS:${DOCKER_PASSWORD}`).toString('base64'), expiresAt: 1795467600, proxyEndpoint: 'https://123456789012.dkr.ecr.us-east-1.amazonaws.com' }] }),
    }));

    app = await copyApp(FIXTURE_APP);
    bin = await tempDir();
    // A docker that echoes what it got on stdin to its own stderr: if the CLI forwarded it, the scan would see it.
    await writeFile(join(bin.path, 'docker'), '#!/bin/sh\ncat > /dev/null\necho "Login Succeeded"\n');
    await chmod(join(bin.path, 'docker'), 0o755);
    await mkdir(join(app.path, 'frontend-react-js/build/static/js'), { recursive: true });
    await writeFile(join(app.path, 'frontend-react-js/build/index.html'), '<!doctype html><script src="/static/js/main.a1b2c3.js"></script>');
    await writeFile(join(app.path, 'frontend-react-js/build/static/js/main.a1b2c3.js'), 'console.log(1)\n');
  });
  afterAll(async () => {
    await Promise.all([pg?.stop(), s3?.stop(), fake?.stop(), app?.cleanup(), bin?.cleanup()]);
  });

  /** Demo variables plus every secret: AWS calls to the fake use the secret keys, S3 calls s3rver's with the session token. */
  const baseEnv = async () => ({
    ...parseEnvFile(await readFile(join(FIXTURE_APP, 'demo.env'), 'utf8')),
    CONNECTION_URL: localUrl,
    PROD_CONNECTION_URL: prodUrl,
    AWS_ACCESS_KEY_ID: KEY_ID,
    AWS_SECRET_ACCESS_KEY: SECRET_KEY,
    AWS_SESSION_TOKEN: SESSION_TOKEN,
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_STS: fake.endpoint,
    AWS_ENDPOINT_URL_EC2: fake.endpoint,
    AWS_ENDPOINT_URL_ECR: fake.endpoint,
    AWS_ENDPOINT_URL_CLOUDFRONT: fake.endpoint,
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: fake.endpoint,
    DB_SG_ID: 'sg-0hygiene',
    DB_SG_RULE_ID: 'sgr-0aaa',
    GITPOD_IP: '203.0.113.9',
    PATH: `${bin.path}:${process.env.PATH}`,
  });
  // s3rver only knows the access key id S3RVER; it takes the secret key and session token as given.
  const s3Env = () => ({ ...s3.env, AWS_SECRET_ACCESS_KEY: SECRET_KEY, AWS_SESSION_TOKEN: SESSION_TOKEN, SYNC_S3_BUCKET: 'hygiene-site', UPLOADS_BUCKET_NAME: 'hygiene-uploads', ASSETS_BUCKET_NAME: 'hygiene-assets' });
  const run = async (args: string[], extra: Record<string, string> = {}, runner: typeof runCli = runCommand) => {
    const env = { ...(await baseEnv()), ...extra };
    return scanRun(`cruddur ${args.join(' ')}`, await runner(args, { cwd: app.path, env, timeoutMs: 60_000 }), args.includes('--json'));
  };
  /** As a process: a fresh redactor that knows only what this call's environment and work give it. */
  const runProcess = (args: string[], extra: Record<string, string> = {}) => run(args, extra, runCli);

  it('the scanner catches a planted secret, plain or URL-encoded', () => {
    expect(() => scan('stdout', 'a planted line', `postgresql://hygiene:${encodeURIComponent(DB_PASSWORD)}@db/x`)).toThrow(/leaked in a planted line/);
    expect(() => scan('stdout', 'a planted line', `token=${SESSION_TOKEN}`)).toThrow(/leaked/);
    scanned.stdout = (scanned.stdout ?? 0) - 2;
  });

  it('env generate (--stdout, --check, files) keeps the passwords out of the terminal', async () => {
    const stdout = await run(['env', 'generate', '--stdout']);
    expect(stdout.exitCode, stdout.stderr).toBe(0);
    expect(stdout.stdout).toMatch(/CONNECTION_URL=postgresql:\/\/hygiene:/);
    const written = await run(['env', 'generate']);
    expect(written.exitCode, written.stderr).toBe(0);
    // The generated file is where the password belongs (mode 0600); it is the only place.
    expect(await readFile(join(app.path, 'backend-flask.env'), 'utf8')).toContain(DB_PASSWORD);
    for (const file of ['frontend-react-js.env', 'sync.env']) scan('env file', file, await readFile(join(app.path, file), 'utf8'));
    const check = await run(['env', 'generate', '--check'], { CONNECTION_URL: localUrl.replace('hygiene_local', 'hygiene_other') });
    expect(check.exitCode, check.stderr).toBe(1);
    expect(check.stdout + check.stderr).toMatch(/CONNECTION_URL/);
    await run(['env', 'generate', '--check', '--json'], { CONNECTION_URL: localUrl.replace('hygiene_local', 'hygiene_other') });
  });

  it('db setup/status/sessions/migrate, human and --json, local and --prod, success and failure', async () => {
    const setup = await run(['db', 'setup', '--yes']);
    expect(setup.exitCode, setup.stderr).toBe(0);
    for (const args of [['db', 'status'], ['db', 'status', '--json'], ['db', 'sessions'], ['db', 'sessions', '--json'], ['db', 'migrate', '--json'], ['db', 'status', '--prod'], ['db', 'status', '--prod', '--json']]) {
      const result = await run(args);
      expect(result.exitCode, `${args.join(' ')}: ${result.stderr}`).toBe(0);
    }
    // Failures that must name the server without its password.
    const wrong = await run(['db', 'status'], { CONNECTION_URL: localUrl.replace(encodeURIComponent(DB_PASSWORD), encodeURIComponent(PROD_PASSWORD)) });
    expect(wrong.exitCode).toBe(1);
    expect(wrong.stderr).toMatch(/^Error: Authentication failed/m);
    const refused = await run(['db', 'sessions', '--json'], { CONNECTION_URL: `postgresql://hygiene:${DB_PASSWORD}@127.0.0.1:1/x` });
    expect(refused.exitCode).toBe(1);
    const malformed = await run(['db', 'status'], { CONNECTION_URL: `postgresql://hygiene:${DB_PASSWORD}@[bad/x` });
    expect(malformed.exitCode).toBe(1);
    const guarded = await run(['db', 'drop', '--prod']);
    expect(guarded.exitCode).toBe(1);
  });

  it('doctor, local status, rds update-sg, ecr login and bootstrap', async () => {
    for (const args of [['doctor'], ['doctor', '--json'], ['local', 'status'], ['local', 'status', '--json'], ['rds', 'update-sg', '--ip', '203.0.113.9', '--dry-run'], ['rds', 'update-sg', '--ip', '203.0.113.9', '--json']]) {
      const result = await run(args);
      expect([0, 1], `${args.join(' ')}: ${result.stderr}`).toContain(result.exitCode);
    }
    const login = await run(['ecr', 'login']);
    expect(login.exitCode, login.stderr).toBe(0);
    expect((await run(['ecr', 'login', '--json'])).exitCode).toBe(0);
    const boot = await run(['bootstrap', '--json']);
    expect(boot.exitCode, boot.stdout + boot.stderr).toBe(0);
    expect(boot.stdout).toMatch(/"id": "ecr"/);
    const verbose = await run(['bootstrap', '--verbose']);
    expect(verbose.exitCode, verbose.stderr).toBe(0);
  });

  it('frontend sync: terminal, --json, the changeset file and the step summary (success and failure)', async () => {
    const summary = join(app.path, '..', `summary-${process.pid}.md`);
    const changeset = join(app.path, 'tmp', 'changeset.json');
    try {
      const env = { ...s3Env(), GITHUB_STEP_SUMMARY: summary };
      const first = await run(['frontend', 'sync', '--auto-approve', '--distribution-id', DISTRIBUTION_ID, '--verbose'], env);
      expect(first.exitCode, first.stderr).toBe(0);
      scan('changeset', 'the changeset file', await readFile(changeset, 'utf8'));
      await writeFile(join(app.path, 'frontend-react-js/build/static/js/main.a1b2c3.js'), 'console.log(2)\n');
      const json = await run(['frontend', 'sync', '--auto-approve', '--distribution-id', DISTRIBUTION_ID, '--json'], env);
      expect(json.exitCode, json.stderr).toBe(0);
      scan('changeset', 'the changeset file', await readFile(changeset, 'utf8'));
      // A failure that still writes the summary: the invalidation fails on a distribution the fake breaks.
      await writeFile(join(app.path, 'frontend-react-js/build/robots.txt'), 'User-agent: *\n');
      const failed = await run(['frontend', 'sync', '--auto-approve', '--distribution-id', 'E2BROKENDISTR01', '--verbose'], env);
      expect(failed.exitCode).toBe(1);
      scan('changeset', 'the changeset file', await readFile(changeset, 'utf8'));
      const dry = await run(['frontend', 'sync', '--dry-run', '--json'], env);
      expect(dry.exitCode, dry.stderr).toBe(0);
      const markdown = await readFile(summary, 'utf8');
      expect(markdown.match(/### Frontend sync/g)?.length).toBeGreaterThanOrEqual(3);
      scan('step summary', 'the GitHub step summary', markdown);
    } finally {
      await rm(summary, { force: true });
    }
  });

  it('avatar upload and clear against s3rver with a session token', async () => {
    const { default: sharp } = await import('sharp');
    await writeFile(join(app.path, 'me.png'), await sharp({ create: { width: 8, height: 8, channels: 3, background: '#369' } }).png().toBuffer());
    const upload = await run(['avatar', 'upload', 'me.png', '--verbose'], s3Env());
    expect(upload.exitCode, upload.stderr).toBe(0);
    expect((await run(['avatar', 'upload', 'me.png', '--json'], s3Env())).exitCode).toBe(0);
    expect((await run(['avatar', 'clear', '--key', 'me.png', '--json'], s3Env())).exitCode).toBe(0);
    const missing = await run(['avatar', 'upload', 'me.png', '--verbose'], { ...s3Env(), UPLOADS_BUCKET_NAME: 'no-such-hygiene' });
    expect(missing.exitCode).toBe(1);
    const refused = await run(['avatar', 'clear', '--all'], s3Env());
    expect([0, 1]).toContain(refused.exitCode);
  });

  it('DEBUG=cruddur* (stack traces and debug logs) and --verbose still keep the secrets out', async () => {
    const debug = { DEBUG: 'cruddur*' };
    const wrong = await runProcess(['db', 'status', '--verbose'], { ...debug, CONNECTION_URL: localUrl.replace(encodeURIComponent(DB_PASSWORD), encodeURIComponent(PROD_PASSWORD)) });
    expect(wrong.exitCode).toBe(1);
    const refused = await runProcess(['db', 'setup', '--prod', '--verbose'], { ...debug, PROD_CONNECTION_URL: `postgresql://hygiene_prod:${PROD_PASSWORD}@127.0.0.1:1/x` });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr, 'DEBUG prints the cause and its stack').toMatch(/^\s+at /m);
    const ok = await run(['db', 'status', '--verbose'], debug);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect((await runProcess(['ecr', 'login', '--verbose'], debug)).exitCode).toBe(0);
    const badBucket = await run(['frontend', 'sync', '--auto-approve', '--bucket', 'no-such-hygiene', '--verbose'], { ...s3Env(), ...debug });
    expect(badBucket.exitCode).toBe(1);
    expect((await run(['doctor', '--verbose'], debug)).exitCode).toBeLessThanOrEqual(1);
  });

  afterAll(() => {
    // The generated env files are scanned too, except backend-flask.env whose job is to hold CONNECTION_URL.
    const total = Object.values(scanned).reduce((a, b) => a + b, 0);
    console.log(`secret hygiene: ${total} outputs scanned (${Object.entries(scanned).map(([k, v]) => `${k} ${v}`).join(', ')}), ${SECRETS.length} secrets, 0 leaked`);
    expect(total).toBeGreaterThanOrEqual(60);
  });
});
