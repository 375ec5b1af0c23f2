import { syncBucketName } from '../../frontend/settings.js';
import { DOCTOR_SETTINGS } from '../settings.js';
import { fail, ok, skip, type Check, type CheckOutcome, type DoctorContext } from '../types.js';

export interface BucketSetting {
  key: 'uploadsBucket' | 'assetsBucket' | 'syncBucket';
  /** The variable to name in a fix. */
  variable: string;
  purpose: string;
}

export const BUCKET_SETTINGS: BucketSetting[] = [
  { key: 'uploadsBucket', variable: DOCTOR_SETTINGS.uploadsBucket.variables[0], purpose: 'the bucket avatars are uploaded to' },
  { key: 'assetsBucket', variable: DOCTOR_SETTINGS.assetsBucket.variables[0], purpose: 'the bucket processed avatars are served from' },
  { key: 'syncBucket', variable: DOCTOR_SETTINGS.syncBucket.variables[0], purpose: 'the frontend site bucket, usually in sync.env' },
];

/** HeadBucket on the bucket the setting names (resolved as the command that uses it resolves it). */
export async function bucketOutcome(ctx: Pick<DoctorContext, 'settings' | 'aws'>, setting: BucketSetting): Promise<CheckOutcome> {
  const value = ctx.settings[setting.key]?.value;
  const bucket = value === undefined ? undefined : setting.key === 'syncBucket' ? syncBucketName(value) : value.trim();
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
