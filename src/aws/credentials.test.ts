import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startFakeAws, type FakeAws, type FakeResponse } from '../../test/support/aws-fake.js';
import { tempDir, type TempDir } from '../../test/support/tmp.js';
import { fakeSts } from '../../test/fakes/identity.js';
import { startSilentServer, type SilentServer } from '../../test/fakes/silent-server.js';
import { AwsClients, loadAwsSettings } from './clients.js';
import { fromAwsError } from './errors.js';

/**
 * Credential failures keep their cause, against real files in a temporary HOME and local servers only
 * (FakeAws for STS and the SSO portal, a silent server for a portal that never answers).
 */
let home: TempDir;
let fake: FakeAws;
let silent: SilentServer;
const clients: AwsClients[] = [];

beforeAll(async () => {
  fake = await startFakeAws();
  silent = await startSilentServer();
  fakeSts(fake, '123456789012', 'arn:aws:sts::123456789012:assumed-role/dev/andrew');
  fake.on(
    (r) => r.path === '/federation/credentials',
    (r): FakeResponse =>
      r.headers['x-amz-sso_bearer_token'] === 'valid-token'
        ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ roleCredentials: { accessKeyId: 'ASIASSO', secretAccessKey: 'sso-secret', sessionToken: 'sso-session', expiration: Date.now() + 3_600_000 } }) }
        : { status: 401, headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'UnauthorizedException' }, body: JSON.stringify({ message: 'Session token not found or invalid' }) },
  );
  fake.onOperation('AssumeRole', () => ({
    status: 403,
    headers: { 'content-type': 'text/xml' },
    body: '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/andrew is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/admin</Message></Error><RequestId>r-1</RequestId></ErrorResponse>',
  }));
});
afterAll(async () => {
  await fake.stop();
  await silent.stop();
});
beforeEach(async () => {
  home = await tempDir('cruddur-aws-home-');
  vi.stubEnv('HOME', home.path);
  vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
  for (const name of ['AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL']) vi.stubEnv(name, undefined);
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  vi.unstubAllEnvs();
  await home.cleanup();
});

const SESSION = `[sso-session my-sso]
sso_start_url = http://127.0.0.1:9/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access
`;

async function files(config: string, credentials = ''): Promise<void> {
  await mkdir(join(home.path, '.aws', 'sso', 'cache'), { recursive: true });
  await writeFile(join(home.path, '.aws', 'config'), config);
  await writeFile(join(home.path, '.aws', 'credentials'), credentials);
}

async function ssoToken(session: string, token: Record<string, unknown>): Promise<void> {
  const name = createHash('sha1').update(session).digest('hex');
  await writeFile(join(home.path, '.aws', 'sso', 'cache', `${name}.json`), JSON.stringify({ startUrl: 'http://127.0.0.1:9/start', region: 'eu-west-1', ...token }));
}

/** Runs STS GetCallerIdentity with the settings of `env` and returns the rendered CruddurError (or 'ok'). */
async function identity(env: Record<string, string>, profile?: string) {
  const fullEnv = { HOME: home.path, AWS_ENDPOINT_URL_STS: fake.endpoint, ...env };
  const aws = new AwsClients(loadAwsSettings({ env: fullEnv, profile }), undefined, fullEnv);
  clients.push(aws);
  const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  try {
    const me = await (await aws.sts()).send(new GetCallerIdentityCommand({}));
    return { ok: me.Arn };
  } catch (error) {
    const e = fromAwsError(error, 'get the AWS identity');
    return { code: e.code, message: e.message, suggestion: e.suggestion };
  }
}

const DEV_SSO = `[profile dev]
sso_session = my-sso
sso_account_id = 123456789012
sso_role_name = dev
region = eu-west-2
${SESSION}`;

describe('credential failures keep their cause', () => {
  it('an SSO profile with a valid cached token gets role credentials from the portal', async () => {
    await files(DEV_SSO);
    await ssoToken('my-sso', { accessToken: 'valid-token', expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    vi.stubEnv('AWS_ENDPOINT_URL_SSO', fake.endpoint);
    await expect(identity({ AWS_PROFILE: 'dev' })).resolves.toEqual({ ok: 'arn:aws:sts::123456789012:assumed-role/dev/andrew' });
    const signed = fake.requests.filter((r) => r.action === 'GetCallerIdentity').at(-1);
    expect(signed?.headers.authorization).toMatch(/Credential=ASIASSO\/\d+\/eu-west-2\/sts\//);
  });

  it('an expired SSO session names the profile and `aws sso login --profile NAME`', async () => {
    await files(DEV_SSO);
    await ssoToken('my-sso', { accessToken: 'old', expiresAt: new Date(Date.now() - 3_600_000).toISOString() });
    const got = await identity({ AWS_PROFILE: 'dev' });
    expect(got).toMatchObject({ code: 'AWS_SSO_SESSION', message: expect.stringContaining('SSO session of profile dev') });
    expect(got.suggestion).toContain('aws sso login --profile dev');
  });

  it('an SSO session never started (no cached token) says the same', async () => {
    await files(DEV_SSO);
    const got = await identity({}, 'dev');
    expect(got).toMatchObject({ code: 'AWS_SSO_SESSION' });
    expect(got.suggestion).toContain('aws sso login --profile dev');
  });

  it('an unknown profile names it and the config file read', async () => {
    await files(DEV_SSO);
    const got = await identity({ AWS_PROFILE: 'typo' });
    expect(got).toMatchObject({ code: 'AWS_UNKNOWN_PROFILE' });
    expect(got.message).toContain('"typo"');
    expect(got.message).toContain(join(home.path, '.aws', 'config'));
  });

  it('an SSO profile naming a missing sso-session is invalid SSO configuration', async () => {
    await files('[profile dev]\nsso_session = nope\nsso_account_id = 123456789012\nsso_role_name = dev\n');
    const got = await identity({ AWS_PROFILE: 'dev' });
    expect(got).toMatchObject({ code: 'AWS_SSO_CONFIG' });
    expect(got.suggestion).toContain('aws configure sso --profile dev');
  });

  it('a failing credential_process says so', async () => {
    await files('[profile proc]\ncredential_process = sh -c "echo vault is sealed >&2; exit 3"\n');
    const got = await identity({ AWS_PROFILE: 'proc' });
    expect(got).toMatchObject({ code: 'AWS_CREDENTIAL_PROCESS', message: expect.stringContaining('credential_process of profile proc failed') });
  });

  it('a role that cannot be assumed names the role and the cause', async () => {
    await files('[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = base\n', '[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = base-secret\n');
    const got = await identity({ AWS_PROFILE: 'admin', AWS_ENDPOINT_URL_STS: fake.endpoint });
    expect(got).toMatchObject({ code: 'AWS_ASSUME_ROLE', message: expect.stringContaining('arn:aws:iam::123456789012:role/admin') });
    expect(got.message).toContain('not authorized to perform: sts:AssumeRole');
  });

  it('no credentials at all', async () => {
    await files('');
    const got = await identity({});
    expect(got).toMatchObject({ code: 'AWS_NO_CREDENTIALS', message: expect.stringContaining('no AWS credentials found') });
  });
});

describe('time limits', () => {
  it('an SSO token refresh endpoint that never answers fails in bounded time, naming SSO and the endpoint', async () => {
    await files(DEV_SSO);
    await ssoToken('my-sso', {
      accessToken: 'old',
      expiresAt: new Date(Date.now() - 60_000).toISOString(),
      refreshToken: 'refresh',
      clientId: 'client',
      clientSecret: 'secret',
      registrationExpiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    vi.stubEnv('AWS_ENDPOINT_URL_SSO_OIDC', silent.endpoint);
    vi.stubEnv('AWS_ENDPOINT_URL_SSO', silent.endpoint);
    const before = silent.connections;
    const got = await identity({ AWS_PROFILE: 'dev', AWS_ENDPOINT_URL_SSO_OIDC: silent.endpoint, CRUDDUR_AWS_CONNECT_TIMEOUT_MS: '500', CRUDDUR_AWS_REQUEST_TIMEOUT_MS: '300', CRUDDUR_AWS_TOTAL_TIMEOUT_MS: '1500' });
    expect(silent.connections).toBeGreaterThan(before);
    expect(got).toMatchObject({ code: 'AWS_TIMEOUT' });
    expect(got.message).toContain('SSO');
    expect(got.message).toContain(silent.endpoint);
  });

  it('an AWS endpoint that accepts and never answers fails in bounded time, naming the service and endpoint', async () => {
    await files('');
    const got = await identity({ AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'x', AWS_ENDPOINT_URL_STS: silent.endpoint, CRUDDUR_AWS_REQUEST_TIMEOUT_MS: '300', CRUDDUR_AWS_TOTAL_TIMEOUT_MS: '1500' });
    expect(got).toMatchObject({ code: 'AWS_TIMEOUT', message: expect.stringContaining(`sts at ${silent.endpoint} did not answer`) });
  });
});
