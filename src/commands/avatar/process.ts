import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { CruddurError } from '../../core/errors.js';
import { isInteractive } from '../../core/output.js';
import { processAvatars, type ProcessResult } from '../../avatar/process.js';
import { progressReporter } from '../../avatar/progress.js';

export default class AvatarProcess extends BaseCommand {
  static override summary = 'Make 512x512 JPEG avatars locally, exactly as the thumbnail Lambda does.';
  static override description = `Runs the Lambda's transform (rotate by EXIF, cover-crop to 512x512 from the centre, flatten transparency onto white, JPEG quality 80, metadata stripped) on files and folders (their image files, not recursive), several at once. Each output is <name>.jpg in --out, written atomically. A file that is not a readable image is reported by name and skipped; the command exits 1 at the end if any file failed.`;

  static override strict = false;
  static override args = {
    files: Args.string({ description: 'Image files or folders of images.', required: true }),
  };

  static override examples = [
    { description: 'Thumbnail the sample avatar into ./avatars', command: '<%= config.bin %> <%= command.id %> bin/avatar/files/data.jpg' },
    { description: 'A folder of photos into tmp/thumbs, four at a time', command: '<%= config.bin %> <%= command.id %> photos/ --out tmp/thumbs --concurrency 4' },
    { description: 'Per-file results for scripts', command: '<%= config.bin %> <%= command.id %> photos/ --json' },
  ];

  static override flags = {
    out: Flags.string({ char: 'o', description: 'Folder for the thumbnails (created if missing).', default: 'avatars' }),
    concurrency: Flags.integer({ char: 'c', description: 'Images processed at once (default: two per CPU core, at most 16).', min: 1, max: 64 }),
  };

  async run(): Promise<ProcessResult> {
    const { flags, argv } = await this.parse(AvatarProcess);
    const cwd = flags.cwd ?? process.cwd();
    const progress = progressReporter(process.stderr, { interactive: isInteractive(process.stderr), silent: this.jsonEnabled() });
    const started = performance.now();
    let result: ProcessResult;
    try {
      result = await processAvatars({ inputs: argv as string[], outDir: flags.out, concurrency: flags.concurrency, cwd }, progress);
    } finally {
      progress.finish();
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    if (result.failed > 0) {
      const names = result.files.filter((f) => f.status === 'failed').map((f) => f.input);
      throw new CruddurError(
        `${result.failed} of ${result.files.length} files could not be made into avatars: ${names.join(', ')}`,
        {
          suggestion: `replace or remove those files (each reason is listed above); ${result.processed === 0 ? 'nothing was written' : `the other ${result.processed} were written to ${flags.out}`}`,
          code: 'AVATAR_PROCESS_FAILED',
          details: result,
        },
      );
    }
    this.log(`Wrote ${result.processed} avatar${result.processed === 1 ? '' : 's'} (512x512 JPEG) to ${flags.out} in ${seconds} s`);
    return result;
  }
}
