import { Flags } from '@oclif/core';
import { basename } from 'node:path';
import { BaseCommand } from '../../base-command.js';
import { terminalConfirm } from '../../core/prompt.js';
import { requireBucket } from '../../avatar/env.js';
import { avatarKeyFor, resolveAvatarConfig, uploadKeyFor } from '../../avatar/config.js';
import { clearAvatars, type ClearResult } from '../../avatar/clear.js';

export default class AvatarClear extends BaseCommand {
  static override summary = 'Delete uploaded and processed avatars, then invalidate /avatars/* on CloudFront.';
  static override description = `Deletes one upload (--key, default the sample avatar's name, data.jpg) and its avatars/<name>.jpg, or with --all every object in UPLOADS_BUCKET_NAME and everything under avatars/ in ASSETS_BUCKET_NAME (listed page by page, deleted 1,000 at a time; asks first, and needs --yes without a terminal). When CLOUDFRONT_DISTRIBUTION_ID is set and an avatar was deleted, one invalidation of /avatars/* follows so CloudFront stops serving the old images.`;

  static override examples = [
    { description: 'Remove the sample avatar from both buckets', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Remove one user\'s avatar', command: '<%= config.bin %> <%= command.id %> --key 7b1c0c9e.png' },
    { description: 'Empty both buckets in CI', command: '<%= config.bin %> <%= command.id %> --all --yes' },
  ];

  static override flags = {
    key: Flags.string({ char: 'k', description: 'The uploads key to delete, with its avatar (default: the sample avatar\'s file name).', exclusive: ['all'] }),
    all: Flags.boolean({ description: 'Delete every upload and every avatar.', exclusive: ['key'] }),
    yes: Flags.boolean({ char: 'y', description: 'Do not ask for confirmation (--all).' }),
  };

  async run(): Promise<ClearResult> {
    const { flags } = await this.parse(AvatarClear);
    const project = this.project(flags);
    const avatar = resolveAvatarConfig(project);
    const uploadsBucket = requireBucket(avatar.uploadsBucket, 'uploads', 'uploads are deleted from it');
    const assetsBucket = requireBucket(avatar.assetsBucket, 'assets', 'avatars are deleted from it');
    const distributionId = avatar.distributionId?.value;
    const aws = this.aws(flags);
    const { createS3Store } = await import('../../aws/s3-store.js');
    const { createCloudFront } = await import('../../aws/cloudfront.js');
    const result = await clearAvatars(
      {
        uploadsBucket,
        assetsBucket,
        key: uploadKeyFor(avatar, flags.key ?? basename(project.paths.avatarSample)),
        all: flags.all,
        distributionId,
        folder: avatar.outputFolder.value,
        uploadsPrefix: avatar.inputFolder.value,
        avatarKey: (key) => avatarKeyFor(avatar, key),
      },
      {
        store: createS3Store(await aws.s3()),
        invalidator: { createInvalidation: async (...a) => createCloudFront(await aws.cloudfront()).createInvalidation(...a) },
        confirm: terminalConfirm({ assumeYes: flags.yes, yesFlag: '--yes' }),
        logger: this.logger(flags),
      },
    );
    this.log(`Deleted ${result.uploads.deleted} from s3://${result.uploads.bucket} and ${result.assets.deleted} from s3://${result.assets.bucket}`);
    if (result.invalidation) {
      this.log(`Invalidation ${result.invalidation.id} (${result.invalidation.status}) of ${result.invalidation.paths.join(' ')} on ${result.invalidation.distributionId}`);
    } else {
      this.log(`No CloudFront invalidation: ${result.invalidationSkipped}`);
    }
    return result;
  }
}
