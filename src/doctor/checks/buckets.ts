import { fail, ok, skip, type Check, type CheckOutcome, type DoctorContext } from '../types.js';

export interface BucketSetting {
  variable: string;
  purpose: string;
}

export const BUCKET_SETTINGS: BucketSetting[] = [
  { variable: 'UPLOADS_BUCKET_NAME', purpose: 'the bucket avatars are uploaded to' },
  { variable: 'ASSETS_BUCKET_NAME', purpose: 'the bucket processed avatars are served from' },
  { variable: 'SYNC_S3_BUCKET', purpose: 'the frontend site bucket, usually in sync.env' },
];

/** HeadBucket on the bucket the variable names. */
export async function bucketOutcome(ctx: Pick<DoctorContext, 'env' | 'aws'>, setting: BucketSetting): Promise<CheckOutcome> {
  const bucket = ctx.env[setting.variable]?.trim();
  if (!bucket) return skip(`${setting.variable} is not set`, `set ${setting.variable} (${setting.purpose}), or run \`cruddur local up\``);
  const { createS3Store } = await import('../../aws/s3-store.js');
  const store = createS3Store(await ctx.aws.s3());
  const endpoint = (await ctx.aws.resolved()).endpoints.s3;
  const where = endpoint ? ` at ${endpoint}` : '';
  if (await store.bucketExists(bucket)) return ok(`s3://${bucket} reachable${where}`);
  return fail(`s3://${bucket} does not exist${where}`, `create the bucket, or fix ${setting.variable} (and --region)`);
}

export function bucketChecks(settings: BucketSetting[] = BUCKET_SETTINGS): Check[] {
  return settings.map((setting) => ({ id: `bucket-${setting.variable}`, title: `bucket ${setting.variable}`, run: (ctx) => bucketOutcome(ctx, setting) }));
}
