import { CruddurError } from '../core/errors.js';
import type { Setting } from './config.js';

const NAMES = {
  uploads: { names: 'UPLOADS_BUCKET_NAME', more: 'UPLOADS_BUCKET_NAME (or THUMBING_S3_FOLDER_INPUT with one bucket for both)' },
  assets: { names: 'ASSETS_BUCKET_NAME', more: 'ASSETS_BUCKET_NAME, THUMBING_BUCKET_NAME in thumbing-serverless-cdk/.env, or DOMAIN_NAME (for assets.<DOMAIN_NAME>)' },
} as const;

/** A bucket from the avatar configuration, or an error naming every setting that would give it. */
export function requireBucket(setting: Setting<string> | undefined, which: 'uploads' | 'assets', why: string): string {
  if (setting) return setting.value;
  throw new CruddurError(`${NAMES[which].names} is not set (${why})`, {
    suggestion: `set ${NAMES[which].more} in .env or the environment, or run \`cruddur local up\` for local buckets`,
    code: 'AVATAR_MISSING_VARIABLE',
  });
}
