import { fromAwsError } from '../../aws/errors.js';
import { createCloudFront } from '../../aws/cloudfront.js';
import { createSts } from '../../aws/sts.js';
import { isCruddurError } from '../../core/errors.js';
import { S3RVER_CREDENTIALS } from '../../local/s3-server.js';
import type { DoctorSettings } from '../settings.js';
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
  const sts = createSts(await ctx.aws.sts());
  try {
    const me = await sts.getCallerIdentity({ signal: ctx.signal });
    return ok(`account ${me.account}, ${me.arn} (region ${settings.region})`);
  } catch (error) {
    if (!isCruddurError(error)) throw error;
    return fail(error.message, error.suggestion ?? 'check your AWS credentials');
  }
}

/** The distribution ids the project uses, each once: the avatar one, then the frontend sync one. */
export function distributionIds(settings: DoctorSettings): string[] {
  const ids = [settings.avatarDistributionId?.value, settings.syncDistributionId?.value].map((v) => v?.trim());
  return [...new Set(ids.filter((v): v is string => Boolean(v)))];
}

/** CloudFront GetDistribution for every configured id. */
export async function cloudfrontOutcome(ctx: Pick<DoctorContext, 'settings' | 'aws' | 'signal'>): Promise<CheckOutcome> {
  const ids = distributionIds(ctx.settings);
  if (ids.length === 0) return skip('no distribution configured', 'set CLOUDFRONT_DISTRIBUTION_ID (and SYNC_CLOUDFRONT_DISTRUBTION_ID in sync.env for frontend sync)');
  const cloudfront = createCloudFront(await ctx.aws.cloudfront());
  const found: string[] = [];
  for (const id of ids) {
    try {
      const d = await cloudfront.getDistribution(id, { signal: ctx.signal });
      if (!d) return fail(`CloudFront distribution ${id} does not exist`, 'check the distribution id (aws cloudfront list-distributions)');
      found.push(`${d.id} ${d.status} ${d.domainName}`);
    } catch (error) {
      if (!isCruddurError(error)) throw error;
      return fail(error.message, error.suggestion ?? 'check the distribution id');
    }
  }
  return ok(found.join('; '));
}

export const awsIdentityCheck: Check = { id: 'aws-identity', title: 'AWS identity', run: awsIdentityOutcome };
export const cloudfrontCheck: Check = { id: 'cloudfront', title: 'CloudFront distribution', run: cloudfrontOutcome };
