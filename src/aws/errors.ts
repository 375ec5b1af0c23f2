import { CruddurError, firstLine } from '../core/errors.js';

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
  if (name === 'NoSuchBucket' || (status === 404 && /bucket/i.test(what))) {
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
