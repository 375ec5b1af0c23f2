import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseJson, runCli } from './support/cli.js';
import { runCommand } from './support/command.js';
import { copyApp, parseEnvFile, REPO_ROOT, type TempDir } from './support/tmp.js';

/** The bootcamp's own ERB templates and a sample.env of fake values (no ../shared needed). */
const BOOTCAMP_ENV_APP = join(REPO_ROOT, 'test', 'fixtures', 'bootcamp-env');

// In the test process (runCommand), but for the main success path (files written with mode 0600) as a process (runCli).
describe('cruddur env generate on the bootcamp templates', () => {
  let app: TempDir;
  let sample: Record<string, string>;
  beforeEach(async () => {
    app = await copyApp(BOOTCAMP_ENV_APP);
    sample = parseEnvFile(await readFile(join(app.path, 'sample.env'), 'utf8'));
  });
  afterEach(async () => {
    await app.cleanup();
  });

  const envFiles = async () => (await readdir(app.path)).filter((f) => f.endsWith('.env') && f !== 'sample.env').sort();

  it('renders the three ERB templates byte-exact with mode 0600', async () => {
    const result = await runCli(['env', 'generate'], { cwd: app.path, env: sample });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(await envFiles()).toEqual(['backend-flask.env', 'frontend-react-js.env', 'sync.env']);
    const s = sample;
    expect(await readFile(join(app.path, 'backend-flask.env'), 'utf8')).toBe(
      [
        'AWS_ENDPOINT_URL=http://dynamodb-local:8000',
        `CONNECTION_URL=${s.CONNECTION_URL}`,
        `FRONTEND_URL=${s.FRONTEND_URL}`,
        `BACKEND_URL=${s.BACKEND_URL}`,
        'OTEL_SERVICE_NAME=backend-flask',
        `AWS_DEFAULT_REGION=${s.AWS_DEFAULT_REGION}`,
        `AWS_COGNITO_USER_POOL_ID=${s.AWS_COGNITO_USER_POOL_ID}`,
        `AWS_COGNITO_USER_POOL_CLIENT_ID=${s.AWS_COGNITO_USER_POOL_CLIENT_ID}`,
        '',
      ].join('\n'),
    );
    expect(await readFile(join(app.path, 'frontend-react-js.env'), 'utf8')).toBe(
      [
        `REACT_APP_BACKEND_URL=${s.BACKEND_URL}`,
        `REACT_APP_AWS_PROJECT_REGION=${s.AWS_DEFAULT_REGION}`,
        `REACT_APP_AWS_COGNITO_REGION=${s.AWS_DEFAULT_REGION}`,
        `REACT_APP_AWS_USER_POOLS_ID=${s.AWS_COGNITO_USER_POOL_ID}`,
        `REACT_APP_CLIENT_ID=${s.AWS_COGNITO_USER_POOL_CLIENT_ID}`,
        `REACT_APP_API_GATEWAY_ENDPOINT_URL=https://api-gw.${s.DOMAIN_NAME}`,
        '',
      ].join('\n'),
    );
    expect(await readFile(join(app.path, 'sync.env'), 'utf8')).toBe(
      [
        `SYNC_S3_BUCKET=${s.DOMAIN_NAME}`,
        `SYNC_CLOUDFRONT_DISTRUBTION_ID=${s.CLOUDFRONT_DISTRIBUTION_ID}`,
        `SYNC_BUILD_DIR=${s.THEIA_WORKSPACE_ROOT}/frontend-react-js/build`,
        `SYNC_OUTPUT_CHANGESET_PATH=${s.THEIA_WORKSPACE_ROOT}/tmp/changeset.json`,
        'SYNC_AUTO_APPROVE=false',
        '',
      ].join('\n'),
    );
    for (const f of await envFiles()) expect((await stat(join(app.path, f))).mode & 0o777).toBe(0o600);
    // The files hold the production password; stdout must not (runCli also asserts this).
    expect(result.stdout).toContain('wrote backend-flask.env');
  });

  it('with two variables unset: exit 1 naming both, nothing written', async () => {
    const { BACKEND_URL: _b, DOMAIN_NAME: _d, ...partial } = sample;
    const result = await runCommand(['env', 'generate'], { cwd: app.path, env: partial });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^Error: 2 variables are not set: BACKEND_URL \(erb\/backend-flask\.env\.erb:4, erb\/frontend-react-js\.env\.erb:1\), DOMAIN_NAME \(/);
    expect(result.stderr).toMatch(/\nTry: .*--allow-missing/);
    expect(result.stderr).not.toMatch(/\bat .*\.js:\d+/);
    expect(await envFiles()).toEqual([]);
  });

  it('--json lists files and the variables used, never values', async () => {
    const result = await runCommand(['env', 'generate', 'sync', '--json'], { cwd: app.path, env: sample });
    expect(result.exitCode).toBe(0);
    const json = parseJson<{ files: Array<{ name: string; status: string; variables: string[] }> }>(result);
    expect(json.files).toEqual([
      expect.objectContaining({ name: 'sync', status: 'written', variables: ['DOMAIN_NAME', 'CLOUDFRONT_DISTRIBUTION_ID', 'THEIA_WORKSPACE_ROOT'] }),
    ]);
    expect(result.stdout).not.toContain(sample.CLOUDFRONT_DISTRIBUTION_ID);
  });

  it('--stdout and --check print redacted text only', async () => {
    const printed = await runCommand(['env', 'generate', 'backend-flask', '--stdout'], { cwd: app.path, env: sample });
    expect(printed.exitCode).toBe(0);
    expect(printed.stdout).toContain('CONNECTION_URL=postgresql://postgres:***@127.0.0.1:5432/cruddur');
    expect(await envFiles()).toEqual([]);
    await runCommand(['env', 'generate'], { cwd: app.path, env: sample });
    const same = await runCommand(['env', 'generate', '--check'], { cwd: app.path, env: sample });
    expect(same.exitCode).toBe(0);
    const changed = await runCommand(['env', 'generate', '--check'], {
      cwd: app.path,
      env: { ...sample, CONNECTION_URL: 'postgresql://postgres:an0ther-pass@10.0.0.9:5432/cruddur' },
    });
    expect(changed.exitCode).toBe(1);
    expect(changed.stdout).toContain('+ CONNECTION_URL=postgresql://postgres:***@10.0.0.9:5432/cruddur');
    expect(changed.stdout + changed.stderr).not.toContain('an0ther-pass');
    expect(changed.stderr).toContain('Error: 1 env file is out of date: backend-flask.env');
  });

  it('--stdout --json puts each rendered file in the document as "content", secrets redacted, nothing written', async () => {
    const result = await runCommand(['env', 'generate', 'backend-flask', '--stdout', '--json'], { cwd: app.path, env: sample });
    expect(result.exitCode, result.stderr).toBe(0);
    const json = parseJson<{ files: Array<{ name: string; status: string; content?: string }> }>(result);
    expect(json.files).toEqual([expect.objectContaining({ name: 'backend-flask', status: 'printed', content: expect.stringContaining('CONNECTION_URL=postgresql://postgres:***@127.0.0.1:5432/cruddur\n') })]);
    expect(json.files[0]?.content).toContain(`FRONTEND_URL=${sample.FRONTEND_URL}\n`);
    const password = new URL(sample.CONNECTION_URL ?? '').password;
    expect(password.length).toBeGreaterThan(3);
    expect(result.stdout).not.toContain(password);
    expect(await envFiles()).toEqual([]);
  });

  it('a template named twice is rendered, reported and its missing variables listed once', async () => {
    const { DOMAIN_NAME: _d, ...partial } = sample;
    const result = await runCommand(['env', 'generate', 'sync', 'sync', 'sync.env'], { cwd: app.path, env: partial });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^Error: 1 variable is not set: DOMAIN_NAME \(erb\/sync\.env\.erb:\d+\)\n/);
    const ok = await runCommand(['env', 'generate', 'sync', 'sync'], { cwd: app.path, env: sample });
    expect(ok.stdout.match(/wrote sync\.env/g)).toHaveLength(1);
  });
});
