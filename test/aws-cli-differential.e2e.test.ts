import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJson, runCli } from './support/cli.js';
import { runCommand } from './support/command.js';
import { REPO_ROOT, tempDir, type TempDir } from './support/tmp.js';

/**
 * Differential test against the AWS CLI of the machine's Python (awscli 1.45 / botocore 1.43): for each
 * set-up (config file, variables, --profile), the region and endpoint `cruddur doctor --json` reports must
 * equal what the CLI resolves, read from its `--debug` log ("Calling endpoint provider with parameters:
 * {'Region': ...}" and "Endpoint provider result: URL"). Neither side sends a request: there are no
 * credentials (instance metadata off, HTTPS_PROXY to a closed loopback port as a second guard), so both stop
 * at signing; every endpoint in the files is loopback.
 *
 * One Python process runs every set-up (aws-cli-differential.py, with the interpreter of the `aws` script: the
 * same awscli and botocore), each with os.environ set as a child's would be and a fresh CLI driver, which reads
 * the environment and the files again; cruddur runs in this process (runCommand), one set-up also as a process.
 * Some set-ups also spell out the answer, so a cache on both sides (a set-up seeing the one before) fails too.
 *
 * Left out on purpose (the CLI v1 differs from the SDKs and CLI v2 there): AWS_REGION (CLI v1 reads only
 * AWS_DEFAULT_REGION) and no region at all (CLI v1 refuses; cruddur uses us-east-1). settings.test.ts covers both.
 */
const AWS = process.env.CRUDDUR_AWS_CLI ?? '/root/.pyenv/shims/aws';
/** This process's own environment, read once: in-process cruddur runs (runCommand) swap process.env while they run. */
const OWN_ENV = { ...process.env };

const CONFIG = `[default]
region = ca-central-1

[profile dev]
region = eu-west-2

[profile other]
region = ap-southeast-2

[profile local]
region = us-west-2
endpoint_url = http://127.0.0.1:4566

[profile svc]
region = eu-central-1
services = local-svc
endpoint_url = http://127.0.0.1:4566

[services local-svc]
s3 =
  endpoint_url = http://127.0.0.1:9000
ec2 =
  endpoint_url = http://localhost:9100

[profile quiet]
region = eu-west-3
endpoint_url = http://127.0.0.1:4566
ignore_configured_endpoint_urls = true

[profile sso]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = dev
region = eu-north-1

[sso-session corp]
sso_start_url = http://127.0.0.1:9/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[profile legacy-sso]
sso_start_url = http://127.0.0.1:9/start
sso_region = us-east-2
sso_account_id = 123456789012
sso_role_name = dev
region = ap-northeast-1
`;

type Service = 'sts' | 's3' | 'ec2';
interface SetUp {
  name: string;
  env?: Record<string, string>;
  profile?: string;
  service?: Service;
  /** Another config file given by AWS_CONFIG_FILE. */
  otherConfig?: string;
  /** --region for both. */
  region?: string;
  /** The answer spelled out (both sides must also give it). */
  want?: Partial<Resolved>;
}

const SETUPS: SetUp[] = [
  { name: '[default] region', want: { region: 'ca-central-1', endpoint: 'AWS', hostRegion: 'ca-central-1' } },
  { name: 'AWS_PROFILE=dev', env: { AWS_PROFILE: 'dev' } },
  { name: '--profile dev', profile: 'dev' },
  { name: '--profile dev over AWS_PROFILE=other', profile: 'dev', env: { AWS_PROFILE: 'other' }, want: { region: 'eu-west-2' } },
  { name: 'AWS_DEFAULT_REGION over the profile', env: { AWS_PROFILE: 'dev', AWS_DEFAULT_REGION: 'sa-east-1' } },
  { name: 'AWS_DEFAULT_REGION over [default]', env: { AWS_DEFAULT_REGION: 'af-south-1' } },
  { name: 'AWS_CONFIG_FILE with [profile default]', otherConfig: '[profile default]\nregion = me-south-1\n', want: { region: 'me-south-1' } },
  { name: 'AWS_ENDPOINT_URL', env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:4510' } },
  { name: 'AWS_ENDPOINT_URL_STS over AWS_ENDPOINT_URL', env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:4510', AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:4520' }, want: { endpoint: 'http://127.0.0.1:4520' } },
  { name: 'AWS_ENDPOINT_URL_S3 for s3', env: { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4530' }, service: 's3' },
  { name: 'AWS_ENDPOINT_URL_S3 does not touch sts', env: { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4530' } },
  { name: 'profile endpoint_url (LocalStack)', env: { AWS_PROFILE: 'local' } },
  { name: 'profile endpoint_url for s3', env: { AWS_PROFILE: 'local' }, service: 's3' },
  { name: 'services section for s3', env: { AWS_PROFILE: 'svc' }, service: 's3', want: { region: 'eu-central-1', endpoint: 'http://127.0.0.1:9000' } },
  { name: 'services section for ec2', profile: 'svc', service: 'ec2' },
  { name: 'services section without sts: profile endpoint_url', env: { AWS_PROFILE: 'svc' } },
  { name: 'AWS_ENDPOINT_URL over the services section', env: { AWS_PROFILE: 'svc', AWS_ENDPOINT_URL: 'http://127.0.0.1:4510' }, service: 's3' },
  { name: 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true turns AWS_ENDPOINT_URL off', env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:4510', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' } },
  { name: 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true turns a profile endpoint off', env: { AWS_PROFILE: 'local', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }, want: { region: 'us-west-2', endpoint: 'AWS' } },
  { name: 'profile ignore_configured_endpoint_urls = true', env: { AWS_PROFILE: 'quiet' } },
  { name: 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=false over the profile', env: { AWS_PROFILE: 'quiet', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'false' } },
  { name: 'SSO profile with an sso-session', env: { AWS_PROFILE: 'sso' } },
  { name: 'legacy SSO profile', profile: 'legacy-sso' },
  { name: '--region over the profile and AWS_DEFAULT_REGION', profile: 'dev', env: { AWS_DEFAULT_REGION: 'sa-east-1' }, region: 'us-west-1' },
];

const CALL: Record<Service, string[]> = { sts: ['sts', 'get-caller-identity'], s3: ['s3api', 'list-buckets'], ec2: ['ec2', 'describe-security-groups'] };

interface Resolved {
  region: string | undefined;
  /** The endpoint URL, or 'AWS' for the service's own endpoint (*.amazonaws.com). */
  endpoint: string | undefined;
  /** For 'AWS': the region in the host name. */
  hostRegion?: string;
}

function normalise(url: string): Resolved['endpoint'] {
  return url.replace(/\/$/, '');
}

/**
 * The Python that runs the `aws` script: its shebang, found through pyenv when `aws` is a pyenv shim
 * (`pyenv which aws`, run as the shim would run it: this process's environment, the cwd given).
 */
async function awsPython(cwd: string): Promise<string[]> {
  const shebang = (text: string) => /^#!\s*(.+)$/m.exec(text.split('\n', 1)[0] ?? '')?.[1]?.trim().split(/\s+/);
  const own = await readFile(AWS, 'utf8');
  const direct = shebang(own);
  if (direct && direct.some((part) => /python/.test(part))) return direct;
  const pyenv = /exec "([^"]*pyenv)" exec/.exec(own)?.[1];
  if (!pyenv) throw new Error(`${AWS} is neither a Python script nor a pyenv shim:\n${own.slice(0, 500)}`);
  const script = (await execa(pyenv, ['which', 'aws'], { cwd, env: OWN_ENV, extendEnv: false })).stdout.trim();
  const found = shebang(await readFile(script, 'utf8'));
  if (!found || !found.some((part) => /python/.test(part))) throw new Error(`${script} (pyenv which aws) has no Python shebang`);
  return found;
}

describe.skipIf(!existsSync(AWS))('region and endpoints equal the AWS CLI 1.45 (differential, no network)', () => {
  let home: TempDir;
  let versions: { awscli: string; botocore: string };
  const results: Array<{ setup: SetUp; cli: Resolved; cruddur: Resolved }> = [];
  /** One set-up run as a process too: its result must equal the in-process one. */
  const SAMPLE = SETUPS.findIndex((s) => s.name === 'AWS_ENDPOINT_URL over the services section');
  let sample: { process: Resolved; inProcess: Resolved } | undefined;

  const envOf = (setup: SetUp, i: number) => ({
    HOME: home.path,
    AWS_CONFIG_FILE: setup.otherConfig ? join(home.path, `other-${i}`) : join(home.path, '.aws', 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home.path, '.aws', 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    HTTPS_PROXY: 'http://127.0.0.1:9',
    ...setup.env,
  });

  const cliArgs = (setup: SetUp) => [...CALL[setup.service ?? 'sts'], '--debug', '--cli-connect-timeout', '1', ...(setup.profile ? ['--profile', setup.profile] : []), ...(setup.region ? ['--region', setup.region] : [])];

  /** Every set-up through awscli, in one Python process (aws-cli-differential.py). */
  async function viaCli(): Promise<Resolved[]> {
    const [python, ...pythonArgs] = await awsPython(home.path);
    const setups = SETUPS.map((setup, i) => ({ env: { PATH: OWN_ENV.PATH, ...envOf(setup, i) }, cwd: home.path, argv: cliArgs(setup) }));
    const run = await execa(python as string, [...pythonArgs, join(REPO_ROOT, 'test', 'aws-cli-differential.py')], {
      env: { PATH: OWN_ENV.PATH, HOME: home.path },
      extendEnv: false,
      cwd: home.path,
      input: JSON.stringify(setups),
      timeout: 300_000,
    });
    const report = JSON.parse(run.stdout) as { awscli: string; botocore: string; runs: Array<{ rc: number; stderr: string }> };
    versions = { awscli: report.awscli, botocore: report.botocore };
    expect(report.runs).toHaveLength(SETUPS.length);
    return report.runs.map(({ stderr }, i) => {
      const region = /Calling endpoint provider with parameters: \{[^}]*'Region': '([^']+)'/.exec(stderr)?.[1];
      const url = /Endpoint provider result: (\S+)/.exec(stderr)?.[1];
      if (!url) throw new Error(`aws ${setups[i]?.argv.join(' ')} printed no endpoint:\n${stderr.slice(-2000)}`);
      const host = /^https:\/\/[a-z0-9-]+\.([a-z0-9-]+)\.amazonaws\.com/.exec(url);
      return host ? { region, endpoint: 'AWS', hostRegion: host[1] } : { region, endpoint: normalise(url) };
    });
  }

  async function viaCruddur(setup: SetUp, i: number, run: typeof runCommand = runCommand): Promise<Resolved> {
    const args = ['doctor', '--json', ...(setup.profile ? ['--profile', setup.profile] : []), ...(setup.region ? ['--region', setup.region] : [])];
    const result = await run(args, { cwd: home.path, env: envOf(setup, i), timeoutMs: 120_000 });
    const report = parseJson<{ aws?: Array<{ name: string; value: string }> }>(result);
    const value = (name: string) => report.aws?.find((row) => row.name === name)?.value;
    const endpoint = value(`endpoint ${setup.service ?? 'sts'}`);
    const region = value('region');
    return endpoint === 'AWS' ? { region, endpoint, hostRegion: region } : { region, endpoint: endpoint && normalise(endpoint) };
  }

  beforeAll(async () => {
    home = await tempDir('cruddur-aws-diff-');
    await mkdir(join(home.path, '.aws'), { recursive: true });
    await writeFile(join(home.path, '.aws', 'config'), CONFIG);
    await writeFile(join(home.path, '.aws', 'credentials'), '');
    await Promise.all(SETUPS.map((s, i) => (s.otherConfig ? writeFile(join(home.path, `other-${i}`), s.otherConfig) : undefined)));
    const inProcess = async () => {
      const out: Resolved[] = [];
      for (const [i, setup] of SETUPS.entries()) out.push(await viaCruddur(setup, i));
      return out;
    };
    const setup = SETUPS[SAMPLE] as SetUp;
    const [cli, cruddur, asProcess] = await Promise.all([viaCli(), inProcess(), viaCruddur(setup, SAMPLE, runCli)]);
    sample = { process: asProcess, inProcess: cruddur[SAMPLE] as Resolved };
    results.push(...SETUPS.map((setup, i) => ({ setup, cli: cli[i] as Resolved, cruddur: cruddur[i] as Resolved })));
  }, 600_000);
  afterAll(async () => home?.cleanup());

  it('covers at least 20 set-ups, against awscli 1.x', () => {
    expect(SETUPS.length).toBeGreaterThanOrEqual(20);
    expect(versions.awscli).toMatch(/^1\./);
  });

  it('gives the same answer in-process as the built CLI as a process', () => {
    expect(SAMPLE).toBeGreaterThanOrEqual(0);
    expect(sample?.inProcess).toEqual(sample?.process);
  });

  it.each(SETUPS.map((s) => [s.name, s] as const))('%s', (_name, setup) => {
    const got = results.find((r) => r.setup === setup);
    expect(got).toBeDefined();
    expect(got?.cli.region).toBeDefined();
    expect(got?.cruddur).toEqual(got?.cli);
    if (setup.want) expect(got?.cli).toMatchObject(setup.want);
  });
});
