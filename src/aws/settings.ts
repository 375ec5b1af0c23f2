import { homedir } from 'node:os';
import { join, sep } from 'node:path';
import { loadSdk } from './sdk.js';

/**
 * The AWS settings cruddur uses, resolved the way the AWS CLI resolves them (botocore 1.43's
 * `configprovider.py` and the AWS CLI's "Configuration and credential file settings" and
 * "Service-specific endpoints" pages):
 *
 * | setting  | order (first found wins)                                                                              |
 * | -------- | ----------------------------------------------------------------------------------------------------- |
 * | profile  | `--profile`, `AWS_PROFILE`, `default`                                                                 |
 * | region   | `--region`, `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`, us-east-1                     |
 * | endpoint | `AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`, the profile's `services` section, its `endpoint_url` |
 * | ignore   | `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`, the profile's `ignore_configured_endpoint_urls` (turns every endpoint source above off) |
 *
 * The files are read by the SDK's own loader (`loadSharedConfigFiles`); this module only ranks.
 * `AWS_REGION` is read by the SDKs and AWS CLI v2; AWS CLI v1 reads only `AWS_DEFAULT_REGION`.
 */

export type AwsService = 's3' | 'cloudfront' | 'ec2' | 'ecr' | 'sts' | 'cognito' | 'dynamodb';

export const AWS_SERVICES: readonly AwsService[] = ['s3', 'cloudfront', 'ec2', 'ecr', 'sts', 'cognito', 'dynamodb'];

/** Each service's id as the endpoint settings spell it: `AWS_ENDPOINT_URL_<ID>` and the key in a `services` section. */
export const SERVICE_ENDPOINT_ID: Record<AwsService, string> = {
  s3: 's3',
  cloudfront: 'cloudfront',
  ec2: 'ec2',
  ecr: 'ecr',
  sts: 'sts',
  cognito: 'cognito_identity_provider',
  dynamodb: 'dynamodb',
};

export const DEFAULT_REGION = 'us-east-1';

/** Per AWS call: time to open the connection, time a socket may wait for the answer, and the whole call with retries (ms). */
export interface AwsTimeouts {
  connectMs: number;
  requestMs: number;
  totalMs: number;
}

export const DEFAULT_TIMEOUTS: AwsTimeouts = { connectMs: 5_000, requestMs: 30_000, totalMs: 90_000 };

/** What `loadSharedConfigFiles` returns: profiles by name, `sso-session.NAME` and `services.NAME` sections. */
export interface SharedConfigFiles {
  configFile: Record<string, Record<string, string | undefined>>;
  credentialsFile: Record<string, Record<string, string | undefined>>;
}

export type StaticCredentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

/** How the chosen profile gets credentials, from its keys in the files (for error messages). */
export type ProfileKind = 'sso' | 'role' | 'process' | 'keys' | 'web-identity' | 'other' | 'none';

export interface AwsSettings {
  region: string;
  regionSource: string;
  /** The profile the SDK is told to use; undefined when none was selected (the `default` profile, if any). */
  profile: string | undefined;
  /** The profile whose settings apply (`default` when none was selected). */
  profileName: string;
  profileSource: string;
  /** Whether the profile is a section of the config or credentials file. */
  profileFound: boolean;
  profileKind: ProfileKind;
  /** The profile's keys, config file merged over credentials file. */
  profileConfig: Record<string, string | undefined>;
  /** The `[sso-session NAME]` section the profile names, when it exists. */
  ssoSession: Record<string, string | undefined> | undefined;
  configFile: string;
  credentialsFile: string;
  maxAttempts: number;
  /** The endpoint URL in force per service; absent: the SDK's AWS endpoint for the region. */
  endpoints: Partial<Record<AwsService, string>>;
  /** Where each endpoint came from (`AWS_ENDPOINT_URL_S3`, `profile dev in ~/.aws/config`). */
  endpointSources: Partial<Record<AwsService, string>>;
  ignoreConfiguredEndpoints: { value: boolean; source: string };
  /** Keys given as variables; they win over AWS_PROFILE (not over --profile), as in the AWS CLI. */
  credentials: StaticCredentials | undefined;
  credentialsSource: string;
  timeouts: AwsTimeouts;
  /** Config problems found while resolving (a missing `services` section), shown by doctor. */
  problems: string[];
}

export interface AwsSettingsInput {
  env: Readonly<Record<string, string | undefined>>;
  region?: string;
  profile?: string;
  /** The parsed ~/.aws files; none read when absent. */
  files?: SharedConfigFiles;
  /** Where a variable came from (`.env`, `process`), for the sources shown by doctor. */
  sourceOf?: (name: string) => string | undefined;
}

/** One line of `doctor` / `--verbose`: `region ca-central-1 (profile dev in ~/.aws/config)`. */
export interface AwsSettingDescription {
  name: string;
  value: string;
  source: string;
}

/** The config and credentials file paths, as the SDK and CLI pick them (`AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`, ~/.aws). */
export function awsFilePaths(env: Readonly<Record<string, string | undefined>>): { configFile: string; credentialsFile: string; home: string } {
  const home = env.HOME || homedir();
  const expand = (p: string) => (p.startsWith(`~${sep}`) || p === '~' ? join(home, p.slice(1)) : p);
  return {
    configFile: expand(env.AWS_CONFIG_FILE || join(home, '.aws', 'config')),
    credentialsFile: expand(env.AWS_SHARED_CREDENTIALS_FILE || join(home, '.aws', 'credentials')),
    home,
  };
}

/** Reads the config and credentials files with the SDK's loader; a missing file reads as empty. */
export async function loadSharedFiles(env: Readonly<Record<string, string | undefined>>): Promise<SharedConfigFiles> {
  const { loadSharedConfigFiles } = loadSdk<typeof import('@smithy/core/config')>('@smithy/core/config');
  const { configFile, credentialsFile } = awsFilePaths(env);
  const files = await loadSharedConfigFiles({ configFilepath: configFile, filepath: credentialsFile, ignoreCache: true });
  return { configFile: files.configFile ?? {}, credentialsFile: files.credentialsFile ?? {} };
}

function truthy(value: string | undefined): boolean | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const v = value.trim().toLowerCase();
  return v === 'true' ? true : v === 'false' ? false : undefined;
}

export function profileKind(config: Record<string, string | undefined>): ProfileKind {
  if (config.sso_session || config.sso_start_url || config.sso_account_id) return 'sso';
  if (config.role_arn) return config.web_identity_token_file ? 'web-identity' : 'role';
  if (config.credential_process) return 'process';
  if (config.aws_access_key_id) return 'keys';
  return Object.keys(config).length > 0 ? 'other' : 'none';
}

/** Ranks the sources above; pure, so tests and the differential table can feed it files directly. */
export function resolveAwsSettings({ env, region, profile, files, sourceOf }: AwsSettingsInput): AwsSettings {
  const paths = awsFilePaths(env);
  const short = (p: string) => (p.startsWith(paths.home + sep) ? `~${p.slice(paths.home.length)}` : p);
  const configLabel = short(paths.configFile);
  const variable = (name: string) => {
    const where = sourceOf?.(name);
    return where && where !== 'env' ? `${name} in ${where}` : name;
  };

  const flagProfile = profile?.trim() || undefined;
  const envProfile = env.AWS_PROFILE?.trim() || undefined;
  const profileName = flagProfile ?? envProfile ?? 'default';
  const profileSource = flagProfile ? '--profile' : envProfile ? variable('AWS_PROFILE') : 'default';
  const configProfile = files?.configFile[profileName];
  const credentialsProfile = files?.credentialsFile[profileName];
  const profileConfig = { ...credentialsProfile, ...configProfile };
  const inConfig = (_key: string) => `profile ${profileName} in ${configLabel}`;
  const problems: string[] = [];

  let regionValue: string;
  let regionSource: string;
  const profileRegion = configProfile?.region?.trim();
  if (region?.trim()) [regionValue, regionSource] = [region.trim(), '--region'];
  else if (env.AWS_REGION?.trim()) [regionValue, regionSource] = [env.AWS_REGION.trim(), variable('AWS_REGION')];
  else if (env.AWS_DEFAULT_REGION?.trim()) [regionValue, regionSource] = [env.AWS_DEFAULT_REGION.trim(), variable('AWS_DEFAULT_REGION')];
  else if (profileRegion) [regionValue, regionSource] = [profileRegion, inConfig('region')];
  else [regionValue, regionSource] = [DEFAULT_REGION, 'default'];

  const envIgnore = truthy(env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS);
  const configIgnore = truthy(configProfile?.ignore_configured_endpoint_urls);
  const ignore =
    envIgnore !== undefined
      ? { value: envIgnore, source: variable('AWS_IGNORE_CONFIGURED_ENDPOINT_URLS') }
      : configIgnore !== undefined
        ? { value: configIgnore, source: inConfig('ignore_configured_endpoint_urls') }
        : { value: false, source: 'default' };

  const endpoints: Partial<Record<AwsService, string>> = {};
  const endpointSources: Partial<Record<AwsService, string>> = {};
  const servicesName = configProfile?.services?.trim();
  const servicesSection = servicesName ? files?.configFile[`services.${servicesName}`] : undefined;
  if (servicesName && !servicesSection) problems.push(`profile ${profileName} names services section "${servicesName}", which is not in ${configLabel}`);
  if (!ignore.value) {
    for (const service of AWS_SERVICES) {
      const id = SERVICE_ENDPOINT_ID[service];
      const serviceVar = `AWS_ENDPOINT_URL_${id.toUpperCase()}`;
      const candidates: Array<[string | undefined, string]> = [
        [env[serviceVar], variable(serviceVar)],
        [env.AWS_ENDPOINT_URL, variable('AWS_ENDPOINT_URL')],
        [servicesSection?.[`${id}.endpoint_url`], `services ${servicesName} in ${configLabel} (profile ${profileName})`],
        [configProfile?.endpoint_url, inConfig('endpoint_url')],
      ];
      const found = candidates.find(([url]) => url?.trim());
      if (found?.[0]) {
        endpoints[service] = found[0].trim();
        endpointSources[service] = found[1];
      }
    }
  }

  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  const useKeys = !flagProfile && Boolean(accessKeyId && secretAccessKey);
  const attempts = Number.parseInt(env.AWS_MAX_ATTEMPTS ?? '', 10);
  const ms = (name: string, fallback: number) => {
    const n = Number.parseInt(env[name] ?? '', 10);
    return Number.isFinite(n) && n > 0 ? n : fallback;
  };
  const found = Boolean(configProfile || credentialsProfile);
  return {
    region: regionValue,
    regionSource,
    profile: flagProfile ?? envProfile,
    profileName,
    profileSource,
    profileFound: found,
    profileKind: profileKind(profileConfig),
    profileConfig,
    ssoSession: profileConfig.sso_session ? files?.configFile[`sso-session.${profileConfig.sso_session}`] : undefined,
    configFile: paths.configFile,
    credentialsFile: paths.credentialsFile,
    maxAttempts: Number.isFinite(attempts) && attempts > 0 ? attempts : 5,
    endpoints,
    endpointSources,
    ignoreConfiguredEndpoints: ignore,
    credentials: useKeys
      ? { accessKeyId: accessKeyId as string, secretAccessKey: secretAccessKey as string, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) }
      : undefined,
    credentialsSource: useKeys
      ? variable('AWS_ACCESS_KEY_ID')
      : found
        ? `profile ${profileName} (${profileKind(profileConfig)})`
        : flagProfile || envProfile
          ? `profile ${profileName} (not found)`
          : 'SDK default chain',
    timeouts: {
      connectMs: ms('CRUDDUR_AWS_CONNECT_TIMEOUT_MS', DEFAULT_TIMEOUTS.connectMs),
      requestMs: ms('CRUDDUR_AWS_REQUEST_TIMEOUT_MS', DEFAULT_TIMEOUTS.requestMs),
      totalMs: ms('CRUDDUR_AWS_TOTAL_TIMEOUT_MS', DEFAULT_TIMEOUTS.totalMs),
    },
    problems,
  };
}

/**
 * The resolved settings with their sources, for `doctor` and `--verbose`:
 * `[{name: 'region', value: 'ca-central-1', source: 'profile dev in ~/.aws/config'}, {name: 'endpoint s3', ...}, ...]`.
 * Secrets never appear: credentials are described by where they come from only.
 */
export function describeAwsSettings(settings: AwsSettings): AwsSettingDescription[] {
  const rows: AwsSettingDescription[] = [
    { name: 'profile', value: settings.profileName, source: settings.profileSource },
    { name: 'region', value: settings.region, source: settings.regionSource },
    { name: 'credentials', value: settings.credentials ? 'access keys' : settings.profileFound ? settings.profileKind : 'default chain', source: settings.credentialsSource },
  ];
  for (const service of AWS_SERVICES) {
    const endpoint = settings.endpoints[service];
    rows.push(endpoint ? { name: `endpoint ${service}`, value: endpoint, source: settings.endpointSources[service] ?? '?' } : { name: `endpoint ${service}`, value: 'AWS', source: settings.ignoreConfiguredEndpoints.value ? settings.ignoreConfiguredEndpoints.source : 'default' });
  }
  if (settings.ignoreConfiguredEndpoints.value) rows.push({ name: 'ignore_configured_endpoint_urls', value: 'true', source: settings.ignoreConfiguredEndpoints.source });
  return rows;
}
