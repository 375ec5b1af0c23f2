import { keyPath, type CloudFront } from '../aws/cloudfront.js';
import type { S3Store } from '../aws/s3-store.js';
import { CruddurError } from '../core/errors.js';
import type { Logger } from '../core/output.js';
import { count } from '../core/output.js';
import type { Confirm } from '../core/prompt.js';

export interface ClearOptions {
  uploadsBucket: string;
  assetsBucket: string;
  /** One upload key (and its avatar); ignored with `all`. */
  key?: string;
  all: boolean;
  distributionId?: string;
  /** The assets folder the handler writes to. */
  folder: string;
  /** With `all`, only uploads under this folder are deleted ('' = the whole uploads bucket). */
  uploadsPrefix?: string;
  /** The assets key the handler writes for an uploads key (the avatar configuration's rule). */
  avatarKey: (uploadKey: string) => string | undefined;
}

export interface ClearDeps {
  store: S3Store;
  /** CloudFront's CreateInvalidation (src/aws/cloudfront.ts; tests assert the exact request through an SDK mock). */
  invalidator: Pick<CloudFront, 'createInvalidation'>;
  confirm: Confirm;
  logger: Logger;
  now?: () => number;
}

export interface BucketClearResult {
  bucket: string;
  deleted: number;
  failed: Array<{ key: string; message: string }>;
}

export interface ClearResult {
  uploads: BucketClearResult;
  assets: BucketClearResult;
  invalidation?: { distributionId: string; id: string; status: string; paths: string[] };
  /** Why no invalidation was sent, when none was. */
  invalidationSkipped?: string;
}

/**
 * The CloudFront paths to drop after deleting avatars: one wildcard covers every size and name. The folder is
 * encoded by CloudFront's rules (keyPath: a space or `~` in it would otherwise be refused); no folder: `/*`.
 */
export function invalidationPaths(folder: string): string[] {
  const trimmed = folder.replace(/^\/+|\/+$/g, '');
  return [trimmed === '' ? '/*' : `${keyPath(trimmed)}/*`];
}

/**
 * `avatar clear`: one avatar (`key`) or every upload and avatar (`all`, confirmed), deleted in
 * batches of 1,000 from both buckets, then a single `/avatars/*` invalidation when a distribution is set.
 */
export async function clearAvatars(options: ClearOptions, deps: ClearDeps): Promise<ClearResult> {
  let uploadKeys: string[];
  let avatarKeys: string[];
  if (options.all) {
    const prefix = `${options.folder.replace(/\/+$/, '')}/`;
    const [uploads, avatars] = await Promise.all([
      deps.store.listObjects(options.uploadsBucket, options.uploadsPrefix ? `${options.uploadsPrefix}/` : ''),
      deps.store.listObjects(options.assetsBucket, prefix),
    ]);
    uploadKeys = uploads.map((o) => o.key);
    avatarKeys = avatars.map((o) => o.key);
    if (uploadKeys.length + avatarKeys.length > 0) {
      const ok = await deps.confirm(
        `Delete all ${count(uploadKeys.length, 'object')} in s3://${options.uploadsBucket}${options.uploadsPrefix ? `/${options.uploadsPrefix}/` : ''} and ${count(avatarKeys.length, 'avatar')} in s3://${options.assetsBucket}/${prefix}?`,
      );
      if (!ok) throw new CruddurError('Nothing deleted: not confirmed', { suggestion: 'answer "y" to delete, or use --key NAME for one avatar', code: 'CANCELLED' });
    }
  } else {
    if (!options.key) throw new CruddurError('No avatar to clear', { suggestion: 'pass --key NAME or --all', exitCode: 2, code: 'USAGE' });
    // Only keys that exist, so the report says what was really removed.
    const key = options.key;
    const avatar = options.avatarKey(key);
    const [upload, processed] = await Promise.all([
      deps.store.headObject(options.uploadsBucket, key),
      avatar ? deps.store.headObject(options.assetsBucket, avatar) : undefined,
    ]);
    uploadKeys = upload ? [key] : [];
    avatarKeys = processed && avatar ? [avatar] : [];
  }

  const [uploads, assets] = await Promise.all([
    deleteAll(deps.store, options.uploadsBucket, uploadKeys),
    deleteAll(deps.store, options.assetsBucket, avatarKeys),
  ]);
  const result: ClearResult = { uploads, assets };
  deps.logger.debug(`deleted ${uploads.deleted} from ${options.uploadsBucket}, ${assets.deleted} from ${options.assetsBucket}`);

  if (!options.distributionId) {
    result.invalidationSkipped = 'CLOUDFRONT_DISTRIBUTION_ID is not set';
  } else if (assets.deleted === 0) {
    result.invalidationSkipped = 'no avatar was deleted';
  } else {
    const paths = invalidationPaths(options.folder);
    const reference = `cruddur-avatar-clear-${(deps.now ?? Date.now)()}`;
    const made = await deps.invalidator.createInvalidation(options.distributionId, paths, reference);
    result.invalidation = { distributionId: options.distributionId, ...made, paths };
  }
  const failed = [...uploads.failed, ...assets.failed];
  if (failed.length > 0) {
    throw new CruddurError(`${count(failed.length, 'object')} could not be deleted (first: ${failed[0]?.key}: ${failed[0]?.message})`, {
      suggestion: 'check s3:DeleteObject permission on both buckets and run `cruddur avatar clear` again',
      code: 'AVATAR_CLEAR_FAILED',
      details: result,
    });
  }
  return result;
}

async function deleteAll(store: S3Store, bucket: string, keys: string[]): Promise<BucketClearResult> {
  if (keys.length === 0) return { bucket, deleted: 0, failed: [] };
  const { deleted, failed } = await store.deleteObjects(bucket, keys);
  return { bucket, deleted: deleted.length, failed };
}
