import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { CruddurError } from '../../core/errors.js';
import { isInteractive } from '../../core/output.js';
import { processAvatars, type ProcessResult } from '../../avatar/process.js';
import { progressReporter } from '../../avatar/progress.js';
import { resolveAvatarConfig, uploadKeyFor } from '../../avatar/config.js';
import { execProgram } from '../../core/exec.js';

export default class AvatarProcess extends BaseCommand {
  static override summary = 'Make avatars locally, exactly as the thumbnail Lambda does (--lambda: with its own code).';
  static override description = `Runs the Lambda's transform (rotate by EXIF, cover-crop to 512x512 from the centre, flatten transparency onto white, JPEG quality 80, metadata stripped) on files and folders (their image files, not recursive), several at once. Each output is <name>.jpg in --out, written atomically. A file that is not a readable image is reported by name and skipped; the command exits 1 at the end if any file failed.`;

  static override strict = false;
  static override args = {
    files: Args.string({ ignoreStdin: true, description: 'Image files or folders of images.', required: true }),
  };

  static override examples = [
    { description: 'Thumbnail the sample avatar into ./avatars', command: '<%= config.bin %> <%= command.id %> bin/avatar/files/data.jpg' },
    { description: 'A folder of photos into tmp/thumbs, four at a time', command: '<%= config.bin %> <%= command.id %> photos/ --out tmp/thumbs --concurrency 4' },
    { description: 'Per-file results for scripts', command: '<%= config.bin %> <%= command.id %> photos/ --json' },
  ];

  static override flags = {
    out: Flags.string({ char: 'o', description: 'Folder for the thumbnails (created if missing).', default: 'avatars' }),
    lambda: Flags.boolean({ description: "Run the handler's own code (the handler folder, see `avatar config`) on each file, with the S3 event Lambda would send." }),
    concurrency: Flags.integer({ char: 'c', description: 'Images processed at once (default: two per CPU core, at most 16).', min: 1, max: 64 }),
  };

  async run(): Promise<ProcessResult> {
    const { flags, argv } = await this.parse(AvatarProcess);
    const cwd = flags.cwd ?? process.cwd();
    const progress = progressReporter(process.stderr, { interactive: isInteractive(process.stderr), silent: this.jsonEnabled() });
    const started = performance.now();
    let result: ProcessResult;
    try {
      const avatar = resolveAvatarConfig(this.project(flags));
      let handler;
      if (flags.lambda) {
        const location = avatar.handler.value;
        if (!location) {
          throw new CruddurError(`--lambda needs a handler folder: ${avatar.handler.source}`, {
            suggestion: 'set THUMBING_FUNCTION_PATH to the folder with your index.js, or run `cruddur avatar build --init`',
            code: 'AVATAR_NO_LAMBDA',
          });
        }
        const { probeSharp, runHandlerOnFiles } = await import('../../avatar/handler.js');
        const probe = await probeSharp(location, execProgram);
        if (probe.ok) {
          handler = { uploadKey: (name: string) => uploadKeyFor(avatar, name), run: (files: Array<{ path: string; key: string; size: number }>) => runHandlerOnFiles(location, avatar, files, execProgram) };
        } else {
          this.logger(flags).warn(`the sharp in ${location.folder} cannot load on this machine (${(probe.error ?? '').split('\n')[0]}); using the configured transform instead`);
        }
      }
      result = await processAvatars({ inputs: argv as string[], outDir: flags.out, concurrency: flags.concurrency, cwd, settings: avatar.transform, handler }, progress);
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
    this.log(`Wrote ${result.processed} avatar${result.processed === 1 ? '' : 's'} to ${flags.out} in ${seconds} s`);
    return result;
  }
}
