import type { S3Client } from '@aws-sdk/client-s3';
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { STSClient } from '@aws-sdk/client-sts';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Logger } from '../core/output.js';

import {
  resolveAwsSettings,
  type AwsService,
  type AwsSettings,
  type AwsSettingsInput,
} from './settings.js';
import { CruddurError } from '../core/errors.js';
import { interrupted } from '../core/interrupt.js';
import { loadSdk } from './sdk.js';
import { AwsCredentialError, AwsTimeoutError, credentialError, unknownProfileError } from './errors.js';

export { DEFAULT_REGION, describeAwsSettings, resolveAwsSettings } from './settings.js';
export type { AwsService, AwsSettings, AwsSettingsInput, AwsSettingDescription } from './settings.js';

/**
 * Reads ~/.aws/config and ~/.aws/credentials (or AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE) with the
 * SDK's loader and ranks every source (see settings.ts). Never throws for a missing file.
 */
export async function loadAwsSettings(input: AwsSettingsInput): Promise<AwsSettings> {
  const { loadSharedFiles } = await import('./settings.js');
  return resolveAwsSettings({ ...input, files: input.files ?? (await loadSharedFiles(input.env)) });
}

/**
 * The options every client shares: the resolved region and endpoint (cruddur's resolution is the one in
 * force, so the SDK's own configured-endpoint lookup is switched off), retries, and the connect and
 * socket time limits of `settings.timeouts`.
 */
export function baseClientConfig(settings: AwsSettings, service: AwsService) {
  const endpoint = settings.endpoints[service];
  return {
    region: settings.region,
    maxAttempts: settings.maxAttempts,
    retryMode: 'standard' as const,
    ignoreConfiguredEndpointUrls: true,
    requestHandler: { connectionTimeout: settings.timeouts.connectMs, requestTimeout: settings.timeouts.requestMs, throwOnRequestTimeout: true },
    ...(settings.profile ? { profile: settings.profile } : {}),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
    ...(endpoint ? { endpoint } : {}),
  };
}

/**
 * S3 options: any endpoint in force (a variable, a profile's `endpoint_url` or `services` section) is a
 * local or compatible server (s3rver, LocalStack, MinIO), which needs path-style addressing (no bucket in
 * the host name) and checksums only when required.
 */
export function s3ClientConfig(settings: AwsSettings) {
  const custom = settings.endpoints.s3 !== undefined;
  return {
    ...baseClientConfig(settings, 's3'),
    ...(custom
      ? { forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' as const, responseChecksumValidation: 'WHEN_REQUIRED' as const }
      : {}),
  };
}

type CredentialProvider = (props?: Record<string, unknown>) => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date }>;

/** Rejects with `onTimeout()` when `work` takes longer than `ms`. */
async function within<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(onTimeout()), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Where the SDK's credential calls go for this profile, for timeout messages (SSO portal and OIDC, or STS). */
function credentialEndpoint(settings: AwsSettings, env: Readonly<Record<string, string | undefined>>): { service: string; endpoint: string } {
  const c = settings.profileConfig;
  if (settings.profileKind === 'sso') {
    const region = settings.ssoSession?.sso_region ?? c.sso_region ?? settings.region;
    return {
      service: 'SSO',
      endpoint: env.AWS_ENDPOINT_URL_SSO_OIDC || env.AWS_ENDPOINT_URL_SSO || env.AWS_ENDPOINT_URL || `https://oidc.${region}.amazonaws.com, https://portal.sso.${region}.amazonaws.com`,
    };
  }
  if (settings.profileKind === 'role' || settings.profileKind === 'web-identity') {
    return { service: 'STS', endpoint: env.AWS_ENDPOINT_URL_STS || env.AWS_ENDPOINT_URL || `https://sts.${settings.region}.amazonaws.com` };
  }
  if (settings.profileKind === 'process') return { service: 'credential_process', endpoint: `profile ${settings.profileName}` };
  return { service: 'credential provider', endpoint: 'the default chain (files, SSO, container or instance metadata)' };
}

/**
 * The credentials of a settings object: its keys, else the SDK's Node chain (`fromNodeProviderChain`:
 * environment, SSO, config/credentials file, role assumption, `credential_process`, web identity,
 * container and instance metadata) for the chosen profile. Its SSO, OIDC and STS calls get the same
 * connect and socket limits as every client, the whole lookup `timeouts.totalMs`. Failures become
 * AwsCredentialError with their cause (see errors.ts `credentialError`).
 */
export async function credentialProvider(settings: AwsSettings, env: Readonly<Record<string, string | undefined>> = process.env, logger?: Logger): Promise<CredentialProvider> {
  if (settings.credentials) {
    const keys = settings.credentials;
    return async () => keys;
  }
  const { fromNodeProviderChain } = loadSdk<typeof import('@aws-sdk/credential-providers')>('@aws-sdk/credential-providers');
  const { NodeHttpHandler } = loadSdk<typeof import('@smithy/node-http-handler')>('@smithy/node-http-handler');
  // The SDK swallows a failed SSO token refresh (it then reports the expired token): the handler notes
  // which credential endpoint timed out so the error can name it.
  const timedOut: string[] = [];
  const inner = new NodeHttpHandler({ connectionTimeout: settings.timeouts.connectMs, requestTimeout: settings.timeouts.requestMs, throwOnRequestTimeout: true });
  const requestHandler = {
    handle: async (request: RequestLike, options?: unknown) => {
      try {
        return await inner.handle(request as never, options as never);
      } catch (error) {
        if ((error as { name?: string }).name === 'TimeoutError') timedOut.push(`${request.protocol ?? 'https:'}//${request.hostname ?? '?'}${request.port ? `:${request.port}` : ''}`);
        throw error;
      }
    },
    updateHttpClientConfig: (key: never, value: never) => inner.updateHttpClientConfig(key, value),
    httpHandlerConfigs: () => inner.httpHandlerConfigs(),
    destroy: () => inner.destroy(),
  };
  const chain = fromNodeProviderChain({
    ...(settings.profile ? { profile: settings.profile } : {}),
    filepath: settings.credentialsFile,
    configFilepath: settings.configFile,
    // The SDK's notes (keys in the environment passed over for an explicit profile) go to --verbose, not stderr.
    logger: { trace() {}, debug() {}, info() {}, warn: (message: string) => logger?.debug(message), error: (message: string) => logger?.debug(message) },
    // A role profile's AssumeRole goes to the STS endpoint in force (a profile's endpoint_url included).
    clientConfig: { requestHandler, maxAttempts: 2, ...(settings.profileKind === 'role' && settings.endpoints.sts ? { endpoint: settings.endpoints.sts } : {}) },
  }) as unknown as CredentialProvider;
  return async (props) => {
    if (settings.profile && !settings.profileFound) throw unknownProfileError(settings);
    const { service, endpoint } = credentialEndpoint(settings, env);
    try {
      return await within(chain(props), settings.timeouts.totalMs, () => new AwsTimeoutError(service, endpoint, settings.timeouts.totalMs));
    } catch (error) {
      const service = settings.profileKind === 'sso' ? 'SSO' : settings.profileKind === 'role' ? 'STS' : 'credential provider';
      const where = timedOut.at(-1);
      timedOut.length = 0;
      throw where && !(error instanceof AwsTimeoutError) ? new AwsTimeoutError(service, where, undefined, error, settings.timeouts) : credentialError(error, settings);
    }
  };
}

interface Instrumentable {
  middlewareStack: { add(middleware: unknown, options: { step: string; name: string }): void };
  send: (command: unknown, options?: { abortSignal?: AbortSignal }) => Promise<unknown>;
}

interface AttemptsMeta {
  $metadata?: { attempts?: number; httpStatusCode?: number };
  name?: string;
}

/** Reports calls that needed retries (throttling, 5xx, resets) so --verbose shows what the SDK absorbed. */
function logRetries(client: Instrumentable, service: AwsService, logger: Logger): void {
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<{ output: AttemptsMeta }>, context: { commandName?: string }) => async (args: unknown) => {
      const name = `${service} ${context.commandName?.replace(/Command$/, '') ?? 'call'}`;
      try {
        const result = await next(args);
        const attempts = result.output.$metadata?.attempts ?? 1;
        if (attempts > 1) logger.debug(`${name}: succeeded after ${attempts} attempts (${attempts - 1} retried)`);
        return result;
      } catch (error) {
        const meta = error as AttemptsMeta;
        logger.debug(`${name}: failed after ${meta.$metadata?.attempts ?? 1} attempts (${meta.name ?? 'error'}, HTTP ${meta.$metadata?.httpStatusCode ?? '-'})`);
        throw error;
      }
    },
    { step: 'initialize', name: 'cruddurRetryLog' },
  );
}

interface RequestLike {
  protocol?: string;
  hostname?: string;
  port?: number;
}

/**
 * Gives every call a total time limit (`timeouts.totalMs`, retries included) and makes a call that ran
 * out of time fail with AwsTimeoutError naming the service and the endpoint it was talking to.
 */
function limitCalls(client: Instrumentable, service: AwsService, settings: AwsSettings, inFlight: Set<AbortController>): void {
  let lastEndpoint: string | undefined;
  client.middlewareStack.add(
    (next: (args: { request?: RequestLike }) => Promise<unknown>) => async (args: { request?: RequestLike }) => {
      const r = args.request;
      if (r?.hostname) lastEndpoint = `${r.protocol ?? 'https:'}//${r.hostname}${r.port ? `:${r.port}` : ''}`;
      return next(args);
    },
    { step: 'finalizeRequest', name: 'cruddurEndpointNote' },
  );
  // Looked up at each call, so a stubbed prototype (aws-sdk-client-mock in tests) is still the one called.
  const send = (command: unknown, options: { abortSignal?: AbortSignal }) => (Object.getPrototypeOf(client) as Instrumentable).send.call(client, command, options);
  client.send = async (command, options = {}) => {
    const limit = new AbortController();
    // The limit alone never keeps the process alive: an abandoned call (a doctor check past its time) ends
    // with its socket, or with destroy() below, not 90 s later.
    const timer = setTimeout(() => limit.abort(), settings.timeouts.totalMs).unref();
    const abortSignal = options.abortSignal ? AbortSignal.any([options.abortSignal, limit.signal]) : limit.signal;
    inFlight.add(limit);
    try {
      return await send(command, { ...options, abortSignal });
    } catch (error) {
      // The credential lookup has its own limit and message.
      if (error instanceof AwsTimeoutError || error instanceof AwsCredentialError) throw error;
      const timedOut = limit.signal.aborted || (error as { name?: string }).name === 'TimeoutError';
      if (timedOut && !(options.abortSignal?.aborted ?? false)) {
        const endpoint = settings.endpoints[service] ?? lastEndpoint ?? `the AWS endpoint in ${settings.region}`;
        throw new AwsTimeoutError(service, endpoint, limit.signal.aborted ? settings.timeouts.totalMs : undefined, error, settings.timeouts);
      }
      throw error;
    } finally {
      clearTimeout(timer);
      inFlight.delete(limit);
    }
  };
}

/**
 * An endpoint setting must be an http(s) URL: the SDK would otherwise fail at the first call with a bare
 * `TypeError: Invalid URL` that names no setting. Errors: AWS_ENDPOINT_INVALID naming where the value came from.
 */
function checkEndpoint(settings: AwsSettings, service: AwsService): void {
  const endpoint = settings.endpoints[service];
  if (endpoint === undefined) return;
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    url = undefined;
  }
  if (url && (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname) return;
  const source = settings.endpointSources[service] ?? 'the endpoint setting';
  throw new CruddurError(`The ${service} endpoint ${JSON.stringify(endpoint)} (from ${source}) is not an http(s) URL`, {
    suggestion: 'set it to a URL such as http://localhost:4566, or unset it to use AWS',
    code: 'AWS_ENDPOINT_INVALID',
  });
}

/**
 * Lazily builds one client per service; the SDK modules load only when a client is first asked for.
 * The settings may still be loading (base-command reads ~/.aws/config asynchronously); `resolved()` waits.
 */
export class AwsClients {
  private readonly cache = new Map<AwsService, unknown>();
  /** Each call's own limit, so destroy() can end calls still in flight, retries included. */
  private readonly inFlight = new Set<AbortController>();
  private readonly settingsPromise: Promise<AwsSettings>;
  private credentialsPromise: Promise<CredentialProvider> | undefined;

  /** With a logger, retried calls are reported at debug level (--verbose). */
  constructor(
    settings: AwsSettings | Promise<AwsSettings>,
    private readonly logger?: Logger,
    private readonly env: Readonly<Record<string, string | undefined>> = process.env,
  ) {
    this.settingsPromise = Promise.resolve(settings);
    // A rejected load is reported where the settings are awaited, not as an unhandled rejection.
    this.settingsPromise.catch(() => undefined);
  }

  /** The resolved settings (region, profile, endpoints and their sources). */
  resolved(): Promise<AwsSettings> {
    return this.settingsPromise;
  }

  /** The credentials every client uses (see `credentialProvider`); doctor calls it to report credential failures. */
  async credentials(): Promise<CredentialProvider> {
    this.credentialsPromise ??= this.settingsPromise.then((s) => credentialProvider(s, this.env, this.logger));
    return this.credentialsPromise;
  }

  private async once<T>(service: AwsService, make: (settings: AwsSettings, credentials: CredentialProvider) => Promise<T>): Promise<T> {
    const existing = this.cache.get(service);
    if (existing) return existing as T;
    const settings = await this.settingsPromise;
    checkEndpoint(settings, service);
    const client = await make(settings, await this.credentials());
    const instrumentable = client as unknown as Instrumentable;
    if (this.logger) logRetries(instrumentable, service, this.logger);
    limitCalls(instrumentable, service, settings, this.inFlight);
    this.cache.set(service, client);
    return client;
  }

  s3(): Promise<S3Client> {
    return this.once('s3', async (s, credentials) => new (loadSdk<typeof import('@aws-sdk/client-s3')>('@aws-sdk/client-s3')).S3Client({ ...s3ClientConfig(s), credentials }));
  }

  cloudfront(): Promise<CloudFrontClient> {
    return this.once('cloudfront', async (s, credentials) => {
      const { CloudFrontClient } = loadSdk<typeof import('@aws-sdk/client-cloudfront')>('@aws-sdk/client-cloudfront');
      // CloudFront is global: its API lives in us-east-1 whatever the app's region.
      return new CloudFrontClient({ ...baseClientConfig(s, 'cloudfront'), region: 'us-east-1', credentials });
    });
  }

  ec2(): Promise<EC2Client> {
    return this.once('ec2', async (s, credentials) => new (loadSdk<typeof import('@aws-sdk/client-ec2')>('@aws-sdk/client-ec2')).EC2Client({ ...baseClientConfig(s, 'ec2'), credentials }));
  }

  ecr(): Promise<ECRClient> {
    return this.once('ecr', async (s, credentials) => new (loadSdk<typeof import('@aws-sdk/client-ecr')>('@aws-sdk/client-ecr')).ECRClient({ ...baseClientConfig(s, 'ecr'), credentials }));
  }

  sts(): Promise<STSClient> {
    return this.once('sts', async (s, credentials) => new (loadSdk<typeof import('@aws-sdk/client-sts')>('@aws-sdk/client-sts')).STSClient({ ...baseClientConfig(s, 'sts'), credentials }));
  }

  cognito(): Promise<CognitoIdentityProviderClient> {
    return this.once('cognito', async (s, credentials) => {
      const { CognitoIdentityProviderClient } = loadSdk<typeof import('@aws-sdk/client-cognito-identity-provider')>('@aws-sdk/client-cognito-identity-provider');
      return new CognitoIdentityProviderClient({ ...baseClientConfig(s, 'cognito'), credentials });
    });
  }

  dynamodb(): Promise<DynamoDBClient> {
    return this.once('dynamodb', async (s, credentials) => new (loadSdk<typeof import('@aws-sdk/client-dynamodb')>('@aws-sdk/client-dynamodb')).DynamoDBClient({ ...baseClientConfig(s, 'dynamodb'), credentials }));
  }

  /**
   * Ends every call still in flight (an abandoned one would otherwise retry against a silent endpoint
   * until its total limit) and closes the clients' sockets. Commands call it when they finish. After Ctrl-C
   * the calls are left to the interrupt cleanups, which the process waits for (at most 5 s).
   */
  destroy(): void {
    // After Ctrl-C the cleanups' own calls (AbortMultipartUpload) are in flight: they get their bounded time.
    if (!interrupted()) for (const limit of this.inFlight) limit.abort();
    this.inFlight.clear();
    for (const client of this.cache.values()) (client as { destroy?: () => void }).destroy?.();
    this.cache.clear();
  }
}
