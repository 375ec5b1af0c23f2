import { Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { execProgram } from '../../core/exec.js';
import { relative } from 'node:path';
import { initFolder, resolveAvatarConfig } from '../../avatar/config.js';
import { buildLambda, type BuildResult } from '../../avatar/lambda.js';

export default class AvatarBuild extends BaseCommand {
  static override summary = "Install the thumbnail Lambda's dependencies for Lambda's linux-x64 (sharp's binary).";
  static override description = `Runs \`npm install --os=linux --cpu=x64 --libc=glibc\` in the handler folder, so sharp's Linux x64 glibc binary is installed whatever machine you build on, then checks that @img/sharp-linux-x64 matches the installed sharp. The folder is --dir, else THUMBING_FUNCTION_PATH (environment, .env or thumbing-serverless-cdk/.env; a Gitpod path is found again in this checkout), else the first "lambda" folder (cruddur.json; default thumbing-serverless-cdk, aws/lambdas/process-images) whose package.json lists sharp and whose index.js exports handler; it says which and why. A folder without a handler is refused. --init copies cruddur's handler (it reads thumbnail-settings.json, which it writes next to itself) when there is none.`;

  static override examples = [
    { description: 'Build the configured Lambda folder', command: '<%= config.bin %> <%= command.id %>' },
    { description: "Start from cruddur's handler in aws/lambdas/process-images", command: '<%= config.bin %> <%= command.id %> --init' },
    { description: 'Another folder', command: '<%= config.bin %> <%= command.id %> --dir lambdas/thumbs' },
  ];

  static override flags = {
    dir: Flags.string({ description: 'The handler folder, relative to the project root (instead of THUMBING_FUNCTION_PATH).' }),
    init: Flags.boolean({ description: "Copy cruddur's handler into the folder when there is no handler." }),
  };

  async run(): Promise<BuildResult> {
    const { flags } = await this.parse(AvatarBuild);
    const project = this.project(flags);
    const avatar = resolveAvatarConfig(project, { dir: flags.dir });
    const result = await buildLambda(
      { root: project.root, handler: avatar.handler.value, reason: avatar.handler.source, initFolder: initFolder(project, flags.dir), init: flags.init },
      { exec: execProgram, logger: this.logger(flags) },
    );
    this.log(`Handler folder ${relative(project.root, result.folder) || '.'}: ${result.reason}`);
    this.log(`Installed ${result.folder} for Lambda: sharp ${result.sharp.version} with ${result.sharp.binary} ${result.sharp.binaryVersion}`);
    return result;
  }
}
