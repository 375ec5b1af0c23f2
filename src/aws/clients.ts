import type { S3Client } from '@aws-sdk/client-s3';
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { STSClient } from '@aws-sdk/client-sts';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Logger } from '../core/output.js';

export type AwsService = 's3' | 'cloudfront' | 'ec2' | 'ecr' | 'sts' | 'cognito' | 'dynamodb';

/** The variable suffix the SDK uses for each service's endpoint (AWS_ENDPOINT_URL_<SUFFIX>). */
const ENDPOINT_SUFFIX: Record<AwsService, string> = {
  s3: 'S3',
  cloudfront: 'CLOUDFRONT',
  ec2: 'EC2',
  ecr: 'ECR',
  sts: 'STS',
  cognito: 'COGNITO_IDENTITY_PROVIDER',
  dynamodb: 'DYNAMODB',
};

export interface AwsSettings {
  region: string;
  profile: string | undefined;
  maxAttempts: number;
  endpoints: Partial<Record<AwsService, string>>;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
}

export interface AwsSettingsInput {
  env: Readonly<Record<string, string | undefined>>;
  region?: string;
  profile?: string;
}

export const DEFAULT_REGION = 'us-east-1';

/**
 * Settings from the merged configuration (flags > env > .env files > local stack). The SDK reads the
 * process environment by itself; values that only live in .env files or `.cruddur/local.env` are
 * passed explicitly so they take effect too.
 */
export function resolveAwsSettings({ env, region, profile }: AwsSettingsInput): AwsSettings {
  const endpoints: Partial<Record<AwsService, string>> = {};
  for (const [service, suffix] of Object.entries(ENDPOINT_SUFFIX) as Array<[AwsService, string]>) {
    const url = env[`AWS_ENDPOINT_URL_${suffix}`] || env.AWS_ENDPOINT_URL;
    if (url) endpoints[service] = url;
  }
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  const chosenProfile = profile ?? env.AWS_PROFILE;
  const attempts = Number.parseInt(env.AWS_MAX_ATTEMPTS ?? '', 10);
  return {
    region: region || env.AWS_REGION || env.AWS_DEFAULT_REGION || DEFAULT_REGION,
    profile: chosenProfile || undefined,
    maxAttempts: Number.isFinite(attempts) && attempts > 0 ? attempts : 5,
    endpoints,
    // An explicit --profile wins over keys in the environment; otherwise keys found in any layer are used.
    credentials:
      !profile && accessKeyId && secretAccessKey
        ? { accessKeyId, secretAccessKey, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) }
        : undefined,
  };
}

/** The options every client shares. */
export function baseClientConfig(settings: AwsSettings, service: AwsService) {
  const endpoint = settings.endpoints[service];
  return {
    region: settings.region,
    maxAttempts: settings.maxAttempts,
    retryMode: 'standard' as const,
    ...(settings.profile ? { profile: settings.profile } : {}),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
    ...(endpoint ? { endpoint } : {}),
  };
}

/** S3 options: a custom endpoint (s3rver, MinIO) needs path-style addressing and checksums only when required. */
export function s3ClientConfig(settings: AwsSettings) {
  const custom = settings.endpoints.s3 !== undefined;
  return {
    ...baseClientConfig(settings, 's3'),
    ...(custom
      ? { forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' as const, responseChecksumValidation: 'WHEN_REQUIRED' as const }
      : {}),
  };
}

interface Instrumentable {
  middlewareStack: { add(middleware: unknown, options: { step: 'initialize'; name: string }): void };
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

/** Lazily builds one client per service; the SDK modules load only when a client is first asked for. */
export class AwsClients {
  private readonly cache = new Map<AwsService, unknown>();

  /** With a logger, retried calls are reported at debug level (--verbose). */
  constructor(readonly settings: AwsSettings, private readonly logger?: Logger) {}

  private async once<T>(service: AwsService, make: () => Promise<T>): Promise<T> {
    const existing = this.cache.get(service);
    if (existing) return existing as T;
    const client = await make();
    if (this.logger) logRetries(client as unknown as Instrumentable, service, this.logger);
    this.cache.set(service, client);
    return client;
  }

  s3(): Promise<S3Client> {
    return this.once('s3', async () => new (await import('@aws-sdk/client-s3')).S3Client(s3ClientConfig(this.settings)));
  }

  cloudfront(): Promise<CloudFrontClient> {
    return this.once('cloudfront', async () => {
      const { CloudFrontClient } = await import('@aws-sdk/client-cloudfront');
      // CloudFront is global: its API lives in us-east-1 whatever the app's region.
      return new CloudFrontClient({ ...baseClientConfig(this.settings, 'cloudfront'), region: 'us-east-1' });
    });
  }

  ec2(): Promise<EC2Client> {
    return this.once('ec2', async () => new (await import('@aws-sdk/client-ec2')).EC2Client(baseClientConfig(this.settings, 'ec2')));
  }

  ecr(): Promise<ECRClient> {
    return this.once('ecr', async () => new (await import('@aws-sdk/client-ecr')).ECRClient(baseClientConfig(this.settings, 'ecr')));
  }

  sts(): Promise<STSClient> {
    return this.once('sts', async () => new (await import('@aws-sdk/client-sts')).STSClient(baseClientConfig(this.settings, 'sts')));
  }

  cognito(): Promise<CognitoIdentityProviderClient> {
    return this.once('cognito', async () => {
      const { CognitoIdentityProviderClient } = await import('@aws-sdk/client-cognito-identity-provider');
      return new CognitoIdentityProviderClient(baseClientConfig(this.settings, 'cognito'));
    });
  }

  dynamodb(): Promise<DynamoDBClient> {
    return this.once('dynamodb', async () => new (await import('@aws-sdk/client-dynamodb')).DynamoDBClient(baseClientConfig(this.settings, 'dynamodb')));
  }

  destroy(): void {
    for (const client of this.cache.values()) (client as { destroy?: () => void }).destroy?.();
    this.cache.clear();
  }
}
