import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir, type TempDir } from '../../test/support/tmp.js';
import { describeAwsSettings, loadSharedFiles, resolveAwsSettings, type SharedConfigFiles } from './settings.js';

const files: SharedConfigFiles = {
  configFile: {
    default: { region: 'ca-central-1' },
    dev: { region: 'eu-west-2', endpoint_url: 'http://localhost:4566' },
    svc: { region: 'ap-south-1', services: 'local', endpoint_url: 'http://global:1' },
    'services.local': { 's3.endpoint_url': 'http://127.0.0.1:9000', 'cognito_identity_provider.endpoint_url': 'http://127.0.0.1:9229' },
    quiet: { endpoint_url: 'http://localhost:4566', ignore_configured_endpoint_urls: 'true' },
    broken: { services: 'missing' },
  },
  credentialsFile: { keys: { aws_access_key_id: 'AKIAEXAMPLE', aws_secret_access_key: 'x' } },
};
const HOME = '/home/andrew';
const resolve = (env: Record<string, string>, flags: { region?: string; profile?: string } = {}) => resolveAwsSettings({ env: { HOME, ...env }, files, ...flags });

describe('region, as the AWS CLI ranks it', () => {
  it.each([
    ['the [default] profile', {}, {}, 'ca-central-1', 'profile default in ~/.aws/config'],
    ['AWS_PROFILE=dev', { AWS_PROFILE: 'dev' }, {}, 'eu-west-2', 'profile dev in ~/.aws/config'],
    ['--profile dev over AWS_PROFILE', { AWS_PROFILE: 'svc' }, { profile: 'dev' }, 'eu-west-2', 'profile dev in ~/.aws/config'],
    ['AWS_DEFAULT_REGION over the profile', { AWS_PROFILE: 'dev', AWS_DEFAULT_REGION: 'sa-east-1' }, {}, 'sa-east-1', 'AWS_DEFAULT_REGION'],
    ['AWS_REGION over AWS_DEFAULT_REGION', { AWS_REGION: 'eu-north-1', AWS_DEFAULT_REGION: 'sa-east-1' }, {}, 'eu-north-1', 'AWS_REGION'],
    ['--region over everything', { AWS_REGION: 'eu-north-1' }, { region: 'us-west-2' }, 'us-west-2', '--region'],
    ['us-east-1 when nothing says', { AWS_PROFILE: 'keys' }, {}, 'us-east-1', 'default'],
  ])('%s', (_name, env, flags, region, source) => {
    const s = resolve(env, flags);
    expect([s.region, s.regionSource]).toEqual([region, source]);
  });

  it('names where a variable came from when it was not the process environment', () => {
    const s = resolveAwsSettings({ env: { HOME, AWS_DEFAULT_REGION: 'eu-west-1' }, files, sourceOf: () => '.env' });
    expect(s.regionSource).toBe('AWS_DEFAULT_REGION in .env');
  });
});

describe('endpoints, as the AWS CLI ranks them', () => {
  it('takes a profile endpoint_url for every service', () => {
    const s = resolve({ AWS_PROFILE: 'dev' });
    expect(s.endpoints).toEqual({ s3: 'http://localhost:4566', cloudfront: 'http://localhost:4566', ec2: 'http://localhost:4566', ecr: 'http://localhost:4566', sts: 'http://localhost:4566', cognito: 'http://localhost:4566' });
    expect(s.endpointSources.s3).toBe('profile dev in ~/.aws/config');
  });

  it('ranks AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, the services section, then endpoint_url', () => {
    const s = resolve({ AWS_PROFILE: 'svc', AWS_ENDPOINT_URL_EC2: 'http://ec2:1' });
    expect(s.endpoints).toMatchObject({ ec2: 'http://ec2:1', s3: 'http://127.0.0.1:9000', cognito: 'http://127.0.0.1:9229', sts: 'http://global:1' });
    expect(s.endpointSources).toMatchObject({ ec2: 'AWS_ENDPOINT_URL_EC2', s3: 'services local in ~/.aws/config (profile svc)', sts: 'profile svc in ~/.aws/config' });
    expect(resolve({ AWS_PROFILE: 'svc', AWS_ENDPOINT_URL: 'http://env:2' }).endpoints).toMatchObject({ s3: 'http://env:2', sts: 'http://env:2' });
  });

  it('AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true turns every configured endpoint off, AWS_ENDPOINT_URL included', () => {
    expect(resolve({ AWS_PROFILE: 'dev', AWS_ENDPOINT_URL: 'http://env:2', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }).endpoints).toEqual({});
    expect(resolve({ AWS_PROFILE: 'quiet' }).endpoints).toEqual({});
    // The variable wins over the profile's setting, both ways.
    expect(resolve({ AWS_PROFILE: 'quiet', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'false' }).endpoints.s3).toBe('http://localhost:4566');
  });

  it('reports a services section that does not exist', () => {
    expect(resolve({ AWS_PROFILE: 'broken' }).problems).toEqual(['profile broken names services section "missing", which is not in ~/.aws/config']);
  });
});

describe('profile and credentials', () => {
  it('keys in variables win over AWS_PROFILE but not over --profile', () => {
    const env = { AWS_PROFILE: 'dev', AWS_ACCESS_KEY_ID: 'AKIAENV', AWS_SECRET_ACCESS_KEY: 'y' };
    expect(resolve(env).credentials?.accessKeyId).toBe('AKIAENV');
    expect(resolve(env, { profile: 'dev' }).credentials).toBeUndefined();
  });

  it('knows a profile from either file, and an unknown one', () => {
    expect(resolve({ AWS_PROFILE: 'keys' })).toMatchObject({ profileFound: true, profileKind: 'keys' });
    expect(resolve({ AWS_PROFILE: 'typo' })).toMatchObject({ profileFound: false, profileName: 'typo', profileSource: 'AWS_PROFILE' });
  });

  it('describes every setting with its source and no secret', () => {
    const rows = describeAwsSettings(resolve({ AWS_PROFILE: 'dev', AWS_ACCESS_KEY_ID: 'AKIAENV', AWS_SECRET_ACCESS_KEY: 'sekret' }));
    expect(rows.slice(0, 3)).toEqual([
      { name: 'profile', value: 'dev', source: 'AWS_PROFILE' },
      { name: 'region', value: 'eu-west-2', source: 'profile dev in ~/.aws/config' },
      { name: 'credentials', value: 'access keys', source: 'AWS_ACCESS_KEY_ID' },
    ]);
    expect(rows).toContainEqual({ name: 'endpoint s3', value: 'http://localhost:4566', source: 'profile dev in ~/.aws/config' });
    expect(JSON.stringify(rows)).not.toContain('sekret');
  });
});

describe('reading the files with the SDK loader', () => {
  let dir: TempDir;
  beforeEach(async () => {
    dir = await tempDir('cruddur-aws-config-');
  });
  afterEach(async () => dir.cleanup());

  it('reads [default], [profile NAME], [services NAME] and AWS_CONFIG_FILE', async () => {
    await mkdir(join(dir.path, '.aws'));
    await writeFile(join(dir.path, '.aws', 'config'), '[default]\nregion = ca-central-1\n\n[profile dev]\nregion = eu-west-2\nservices = local\n\n[services local]\ns3 =\n  endpoint_url = http://127.0.0.1:4566\n');
    const env = { HOME: dir.path };
    const s = resolveAwsSettings({ env: { ...env, AWS_PROFILE: 'dev' }, files: await loadSharedFiles(env) });
    expect([s.region, s.endpoints.s3, s.endpoints.ec2]).toEqual(['eu-west-2', 'http://127.0.0.1:4566', undefined]);
    await writeFile(join(dir.path, 'other'), '[default]\nregion = ap-northeast-1\n');
    const other = { HOME: dir.path, AWS_CONFIG_FILE: join(dir.path, 'other') };
    expect(resolveAwsSettings({ env: other, files: await loadSharedFiles(other) })).toMatchObject({ region: 'ap-northeast-1', regionSource: 'profile default in ~/other' });
  });

  it('reads missing files as empty', async () => {
    const env = { HOME: join(dir.path, 'nowhere') };
    expect(await loadSharedFiles(env)).toEqual({ configFile: {}, credentialsFile: {} });
  });
});
