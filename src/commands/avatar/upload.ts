import { Args, Flags } from '@oclif/core';
import { basename, resolve } from 'node:path';
import { BaseCommand } from '../../base-command.js';
import { isInteractive } from '../../core/output.js';
import { avatarKeyFor, resolveAvatarConfig, uploadKeyFor, uploadKeyProblem } from '../../avatar/config.js';
import { usageError } from '../../core/errors.js';
import { requireBucket } from '../../avatar/env.js';
import { createUploader, uploadAvatar, type UploadResult } from '../../avatar/upload.js';
import { progressBar } from '../../core/progress.js';

export default class AvatarUpload extends BaseCommand {
  static override summary = 'Upload an avatar to the uploads bucket; --wait for the Lambda to publish its thumbnail.';
  static override description = `Decodes FILE as the processing will (refusing what it cannot decode: truncated files, HEIC coded with HEVC, decompression bombs), then puts it in the uploads bucket under the input folder (a multipart upload with progress above 8 MiB). The thumbnail handler writes the avatar to the assets bucket (see \`cruddur avatar config\` for the names, folders and key rule); with --wait this command polls for it (backing off from 0.25 s to 5 s) and prints https://assets.<DOMAIN_NAME>/<key>. With CLOUDFRONT_DISTRIBUTION_ID set, the avatar's path is invalidated. FILE defaults to the sample avatar (bin/avatar/files/data.jpg, "avatarSample" in cruddur.json).`;

  static override args = {
    file: Args.string({ ignoreStdin: true, description: 'The image to upload (default: the sample avatar).' }),
  };

  static override examples = [
    { description: 'Upload the sample avatar (bin/avatar/files/data.jpg)', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Upload as a user id and wait for the thumbnail', command: '<%= config.bin %> <%= command.id %> me.png --key 7b1c0c9e.png --wait' },
    { description: 'Give a cold Lambda two minutes', command: '<%= config.bin %> <%= command.id %> --wait --timeout 120' },
  ];

  static override flags = {
    key: Flags.string({ char: 'k', description: 'Key in the uploads bucket (default: the file name, under the input folder when one is set).' }),
    wait: Flags.boolean({ char: 'w', description: 'Wait until the processed avatar appears in ASSETS_BUCKET_NAME.' }),
    timeout: Flags.integer({ description: 'Seconds to wait for the avatar (with --wait).', default: 60, min: 1 }),
  };

  async run(): Promise<UploadResult> {
    const { flags, args } = await this.parse(AvatarUpload);
    if (flags.key !== undefined) {
      const problem = uploadKeyProblem(flags.key);
      if (problem) throw usageError(`--key ${JSON.stringify(flags.key)} ${problem}`, 'give the object\'s name, e.g. --key me.png or --key uploads/me.png');
    }
    const project = this.project(flags);
    const file = args.file ? resolve(flags.cwd ?? process.cwd(), args.file) : project.resolve(project.paths.avatarSample);
    const avatar = resolveAvatarConfig(project);
    const uploadsBucket = requireBucket(avatar.uploadsBucket, 'uploads', 'the bucket the thumbnail Lambda watches');
    const assetsBucket = flags.wait ? requireBucket(avatar.assetsBucket, 'assets', '--wait looks for the thumbnail there') : avatar.assetsBucket?.value;
    const aws = this.aws(flags);
    const client = await aws.s3();
    const { createS3Store } = await import('../../aws/s3-store.js');
    const interactive = isInteractive(process.stderr) && !this.jsonEnabled();
    let lastPercent = -1;
    const result = await uploadAvatar(
      {
        file,
        key: uploadKeyFor(avatar, flags.key ?? basename(file)),
        uploadsBucket,
        assetsBucket,
        domain: avatar.domain?.value,
        wait: flags.wait,
        timeoutMs: flags.timeout * 1000,
        settings: avatar.transform,
        avatarKey: (key) => avatarKeyFor(avatar, key),
        distributionId: avatar.distributionId?.value,
      },
      {
        store: createS3Store(client),
        invalidator: { createInvalidation: async (...a) => (await import('../../aws/cloudfront.js')).createCloudFront(await aws.cloudfront()).createInvalidation(...a) },
        uploader: createUploader(client),
        logger: this.logger(flags),
        onProgress: (loaded, total) => {
          if (this.jsonEnabled() || total === 0) return;
          const percent = Math.floor((loaded / total) * 100);
          if (interactive) process.stderr.write(`\r${progressBar(loaded, total).replace(/ \d+\/\d+$/, '')} ${percent}%${percent === 100 ? '\n' : ''}`);
          else if (percent !== lastPercent && (percent === 100 || percent - lastPercent >= 25)) process.stderr.write(`uploaded ${percent}% of ${total} bytes\n`);
          lastPercent = percent;
        },
      },
    );
    this.log(`Uploaded ${args.file ?? project.paths.avatarSample} (${result.image.format} ${result.image.width}x${result.image.height}, ${result.bytes} bytes${result.multipart ? ', multipart' : ''}) to s3://${result.bucket}/${result.key}`);
    if (result.avatar.appeared) {
      this.log(`Avatar ready after ${(result.avatar.waitedMs ?? 0) / 1000} s: s3://${result.avatar.bucket}/${result.avatar.key}`);
      this.log(result.avatar.url ?? `(set DOMAIN_NAME to print its https://assets.<domain>/ URL)`);
    } else if (result.avatar.bucket) {
      this.log(`The thumbnail Lambda will write s3://${result.avatar.bucket}/${result.avatar.key}${result.avatar.url ? ` (${result.avatar.url})` : ''}; --wait waits for it`);
    }
    if (result.invalidation) this.log(`Invalidation ${result.invalidation.id} (${result.invalidation.status}) of ${result.invalidation.paths.join(' ')} on ${result.invalidation.distributionId}`);
    return result;
  }
}
