import { fromAwsError } from '../../aws/errors.js';
import { S3RVER_CREDENTIALS } from '../../local/s3-server.js';
import { fail, ok, skip, type Check, type CheckOutcome, type DoctorContext } from '../types.js';

/**
 * STS GetCallerIdentity: who the AWS calls run as. A credential failure (expired SSO session, unknown
 * profile, failing credential_process, role that cannot be assumed, ...) is a failure with its fix; only
 * a machine with no AWS configuration at all (no profile chosen or in the files, no keys) is 'skip'.
 */
export async function awsIdentityOutcome(ctx: Pick<DoctorContext, 'aws' | 'signal'>): Promise<CheckOutcome> {
  const settings = await ctx.aws.resolved();
  // The local stack's s3rver keys are not an AWS account: asking STS with them would only fail.
  if (settings.credentials?.accessKeyId === S3RVER_CREDENTIALS.accessKeyId && !settings.endpoints.sts) {
    return skip('only the local stack\'s S3 keys are set (no AWS account)', 'set AWS_PROFILE (or real AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) to use AWS');
  }
  try {
    await (await ctx.aws.credentials())();
  } catch (error) {
    const e = fromAwsError(error, 'load the AWS credentials');
    if (e.code === 'AWS_NO_CREDENTIALS' && !settings.profile && !settings.profileFound) {
      return skip('no AWS configuration (no profile, no keys)', 'set AWS_PROFILE to a profile in ~/.aws/config (`aws configure sso`), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
    }
    return fail(e.message, e.suggestion ?? 'check your AWS credentials');
  }
  const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  const sts = await ctx.aws.sts();
  try {
    const me = await sts.send(new GetCallerIdentityCommand({}), { abortSignal: ctx.signal });
    return ok(`account ${me.Account ?? '?'}, ${me.Arn ?? '?'} (region ${settings.region})`);
  } catch (error) {
    const e = fromAwsError(error, 'get the AWS identity');
    return fail(e.message, e.suggestion ?? 'check your AWS credentials');
  }
}

/** The distribution ids the project uses: the avatar one and the frontend sync one (both spellings). */
export function distributionIds(env: Readonly<Record<string, string | undefined>>): string[] {
  const names = ['CLOUDFRONT_DISTRIBUTION_ID', 'SYNC_CLOUDFRONT_DISTRUBTION_ID', 'SYNC_CLOUDFRONT_DISTRIBUTION_ID'];
  return [...new Set(names.map((n) => env[n]?.trim()).filter((v): v is string => Boolean(v)))];
}

/** CloudFront GetDistribution for every configured id. */
export async function cloudfrontOutcome(ctx: DoctorContext): Promise<CheckOutcome> {
  const ids = distributionIds(ctx.env);
  if (ids.length === 0) return skip('no distribution configured', 'set CLOUDFRONT_DISTRIBUTION_ID (and SYNC_CLOUDFRONT_DISTRUBTION_ID in sync.env for frontend sync)');
  const { GetDistributionCommand } = await import('@aws-sdk/client-cloudfront');
  const client = await ctx.aws.cloudfront();
  const found: string[] = [];
  for (const id of ids) {
    try {
      const { Distribution: d } = await client.send(new GetDistributionCommand({ Id: id }), { abortSignal: ctx.signal });
      found.push(`${id} ${d?.Status ?? '?'} ${d?.DomainName ?? ''}`.trim());
    } catch (error) {
      const e = fromAwsError(error, `read CloudFront distribution ${id}`);
      return fail(e.message, e.suggestion ?? 'check the distribution id');
    }
  }
  return ok(found.join('; '));
}

export const awsIdentityCheck: Check = { id: 'aws-identity', title: 'AWS identity', run: awsIdentityOutcome };
export const cloudfrontCheck: Check = { id: 'cloudfront', title: 'CloudFront distribution', run: cloudfrontOutcome };
