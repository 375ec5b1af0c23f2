import { CruddurError, firstLine } from '../core/errors.js';
import type { AwsSettings, AwsTimeouts } from './settings.js';

/**
 * An AWS call (or a credential lookup) that ran out of time: `service` (`ec2`, `SSO`, `STS`) and the
 * endpoint it was talking to. `totalMs` is set when the whole-call limit fired, unset when a connect or
 * socket limit did (then `timeouts` says which limits applied).
 */
export class AwsTimeoutError extends Error {
  constructor(
    readonly service: string,
    readonly endpoint: string,
    readonly totalMs: number | undefined,
    cause?: unknown,
    readonly timeouts?: AwsTimeouts,
  ) {
    const within = totalMs !== undefined ? `within ${totalMs} ms` : timeouts ? `(connect limit ${timeouts.connectMs} ms, answer limit ${timeouts.requestMs} ms)` : 'in time';
    super(`${service} at ${endpoint} did not answer ${within}`, cause === undefined ? undefined : { cause });
    this.name = 'AwsTimeoutError';
  }
}

/** A credential lookup that failed, with its cause kept: `code` is one of the AWS_* codes below. */
export class AwsCredentialError extends Error {
  constructor(
    message: string,
    readonly suggestion: string,
    readonly code: string,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'AwsCredentialError';
  }
}

/** `--profile typo` / `AWS_PROFILE=typo`: the AWS CLI's "The config profile (typo) could not be found", with the files read. */
export function unknownProfileError(settings: AwsSettings): AwsCredentialError {
  return new AwsCredentialError(
    `AWS profile "${settings.profileName}" (from ${settings.profileSource}) is not in ${settings.configFile} or ${settings.credentialsFile}`,
    `use a profile listed by \`aws configure list-profiles\`, or create it with \`aws configure --profile ${settings.profileName}\` (or \`aws configure sso\`)`,
    'AWS_UNKNOWN_PROFILE',
  );
}

/**
 * Classifies a failure of the SDK's credential chain by what the chosen profile is (settings.profileKind)
 * and the SDK's message: an SSO session that expired or was never started, invalid SSO settings, a failing
 * `credential_process`, a role that cannot be assumed, or no credentials at all. A timeout stays a timeout.
 */
export function credentialError(error: unknown, settings: AwsSettings): Error {
  if (error instanceof AwsCredentialError || error instanceof AwsTimeoutError || error instanceof CruddurError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as AwsErrorShape;
  const detail = firstLine(e.message ?? String(error)).replace(/^Error: /, '');
  const profile = settings.profileName;
  const where = `profile ${profile} in ${settings.configFile}`;
  const login = `aws sso login --profile ${profile}`;
  const make = (message: string, suggestion: string, code: string) => new AwsCredentialError(message, suggestion, code, error);
  if ((e.name === 'TimeoutError' || /timed out|ETIMEDOUT/i.test(detail)) && settings.profileKind !== 'process') {
    return new AwsTimeoutError(settings.profileKind === 'sso' ? 'SSO' : settings.profileKind === 'role' ? 'STS' : 'credential provider', 'its endpoint', undefined, error, settings.timeouts);
  }
  switch (settings.profileKind) {
    case 'sso': {
      if (/does not have valid SSO credentials|Required parameters|Conflicting SSO|sso[-_]session.*(not|missing|does not exist)|Incomplete configuration|Invalid configuration|ssoRegion|sso_region/i.test(detail)) {
        return make(`the SSO settings of ${where} are invalid: ${detail}`, `run \`aws configure sso --profile ${profile}\` to write them again`, 'AWS_SSO_CONFIG');
      }
      if (/expired|not found or is invalid|token.*(not found|invalid)|refresh|sso login|UnauthorizedException|ENOENT|InvalidGrant/i.test(`${e.name ?? ''} ${detail}`)) {
        return make(`the SSO session of profile ${profile} has expired or was never started`, `run \`${login}\`, then run again`, 'AWS_SSO_SESSION');
      }
      return make(`the SSO credentials of profile ${profile} could not be fetched: ${detail}`, `run \`${login}\`; if it persists, check the SSO settings of ${where}`, 'AWS_SSO_SESSION');
    }
    case 'process':
      return make(`the credential_process of profile ${profile} failed: ${detail}`, `run the credential_process command of ${where} by hand to see why it fails, then fix it or its login`, 'AWS_CREDENTIAL_PROCESS');
    case 'role':
    case 'web-identity': {
      const role = settings.profileConfig.role_arn ?? '?';
      return make(`profile ${profile} could not assume role ${role}: ${detail}`, `check that role's trust policy allows the source identity (source_profile ${settings.profileConfig.source_profile ?? settings.profileConfig.credential_source ?? '?'}) and that role_arn in ${settings.configFile} is right`, 'AWS_ASSUME_ROLE');
    }
    default:
      if (/Could not load credentials|Unable to locate credentials|credentials.*not.*(found|provided)|from any providers/i.test(`${e.name ?? ''} ${detail}`) || e.name === 'CredentialsProviderError') {
        return make(
          settings.profile ? `profile ${profile} has no AWS credentials` : 'no AWS credentials found',
          settings.profile
            ? `add credentials to ${where} (\`aws configure --profile ${profile}\` or \`aws configure sso --profile ${profile}\`)`
            : 'set AWS_PROFILE to a profile in ~/.aws/config (`aws configure sso`), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
          'AWS_NO_CREDENTIALS',
        );
      }
      return make(`the AWS credentials of profile ${profile} could not be loaded: ${detail}`, `check ${where} and ${settings.credentialsFile}`, 'AWS_CREDENTIALS');
  }
}

interface AwsErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

/**
 * Turns an SDK error into a CruddurError with a fix. `what` says what was being done
 * ("list bucket my-site"), so the message reads "Could not list bucket my-site: ...".
 */
export function fromAwsError(error: unknown, what: string): CruddurError {
  if (error instanceof CruddurError) return error;
  if (error instanceof AwsCredentialError) return new CruddurError(`Could not ${what}: ${error.message}`, { suggestion: error.suggestion, code: error.code, cause: error });
  if (error instanceof AwsTimeoutError) {
    return new CruddurError(`Could not ${what}: ${error.message}`, {
      suggestion: 'check the network (a proxy, firewall or captive portal can hold connections open) and the endpoint settings (`cruddur doctor` shows them); limits: CRUDDUR_AWS_CONNECT_TIMEOUT_MS, CRUDDUR_AWS_REQUEST_TIMEOUT_MS, CRUDDUR_AWS_TOTAL_TIMEOUT_MS',
      code: 'AWS_TIMEOUT',
      cause: error,
    });
  }
  const e = (typeof error === 'object' && error !== null ? error : {}) as AwsErrorShape;
  const name = e.name ?? e.code ?? '';
  const status = e.$metadata?.httpStatusCode;
  const detail = firstLine(e.message ?? String(error)).replace(/^Error: /, '');
  const make = (message: string, suggestion: string, code: string) =>
    new CruddurError(`Could not ${what}: ${message}`, { suggestion, code, cause: error });

  if (name === 'CredentialsProviderError' || /Could not load credentials|Unable to locate credentials/i.test(detail)) {
    return make('no AWS credentials found', 'set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, run `aws sso login`, or pass --profile', 'AWS_NO_CREDENTIALS');
  }
  if (/ExpiredToken|TokenRefreshRequired|RequestExpired/i.test(name) || /expired/i.test(detail)) {
    return make('the AWS credentials have expired', 'refresh them (`aws sso login`, or new keys) and run again', 'AWS_EXPIRED_CREDENTIALS');
  }
  if (/InvalidAccessKeyId|SignatureDoesNotMatch|UnrecognizedClient|InvalidClientTokenId/i.test(name)) {
    return make('the AWS credentials were rejected', 'check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or --profile', 'AWS_BAD_CREDENTIALS');
  }
  if (/AccessDenied|Forbidden|UnauthorizedOperation/i.test(name) || status === 403) {
    return make('access denied', 'grant the IAM permission for this call to your role or user, or use another --profile', 'AWS_ACCESS_DENIED');
  }
  // S3's own codes say which is missing. A bodiless 404 (HEAD) only names the bucket for a bucket-level call
  // ("check bucket x", "list bucket x"): a key's 404 is the key's, whatever the bucket is called.
  if (name === 'NoSuchKey' || name === 'NoSuchUpload') {
    return make(
      name === 'NoSuchKey' ? 'the object does not exist' : 'the multipart upload does not exist (aborted or completed meanwhile)',
      'list the bucket (`aws s3 ls`) to see what it holds, then run again',
      name === 'NoSuchKey' ? 'AWS_NO_SUCH_KEY' : 'AWS_NO_SUCH_UPLOAD',
    );
  }
  if (name === 'NoSuchBucket' || (status === 404 && /^(NotFound|Unknown|)$/.test(name) && /^(check|list) bucket /.test(what))) {
    return make('the bucket does not exist', 'check the bucket name (and --region), or create the bucket first', 'AWS_NO_SUCH_BUCKET');
  }
  if (/NoSuchDistribution/i.test(name)) {
    return make('the CloudFront distribution does not exist', 'check the distribution id (aws cloudfront list-distributions)', 'AWS_NO_SUCH_DISTRIBUTION');
  }
  if (/Region not accepted|not a valid hostname component|Invalid region/i.test(detail)) {
    const region = /region="([^"]*)"/.exec(detail)?.[1];
    return make(`${region !== undefined ? `"${region}"` : 'the region'} is not a valid AWS region`, 'pass --region like us-east-1, or fix AWS_REGION / AWS_DEFAULT_REGION / the profile\'s region', 'AWS_BAD_REGION');
  }
  // Throttling and 5xx the SDK retried until it gave up. A HEAD answer has no body, so the SDK only knows the status.
  if (/SlowDown|Throttl|TooManyRequests|RequestLimitExceeded|ServiceUnavailable|InternalError/i.test(name) || (status !== undefined && status >= 500)) {
    const attempts = e.$metadata?.attempts;
    const label = name && !/^Unknown/.test(name) ? `${name}, ` : '';
    return make(
      `AWS kept failing (${label}HTTP ${status ?? '5xx'})${attempts ? ` after ${attempts} attempt${attempts > 1 ? 's' : ''}` : ''}`,
      'the service is throttling or unavailable: run it again in a minute (it resumes where it stopped), or allow more retries with AWS_MAX_ATTEMPTS=10',
      'AWS_UNAVAILABLE',
    );
  }
  const sys = (error as { code?: string }).code ?? name;
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|TimeoutError/.test(sys) || /ECONNREFUSED|ENOTFOUND|getaddrinfo/.test(detail)) {
    return make(`the AWS endpoint could not be reached (${sys || detail})`, 'check your network, AWS_ENDPOINT_URL* settings, or start the local stack with `cruddur local up`', 'AWS_UNREACHABLE');
  }
  return make(`${name ? `${name}: ` : ''}${detail}`, 'run again with --verbose or DEBUG=cruddur* for details', 'AWS_ERROR');
}
