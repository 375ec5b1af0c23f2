import { Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { execProgram } from '../../core/exec.js';
import { buildLambda, type BuildResult } from '../../avatar/lambda.js';

export default class AvatarBuild extends BaseCommand {
  static override summary = "Install the thumbnail Lambda's dependencies for Lambda's linux-x64 (sharp's binary).";
  static override description = `Runs \`npm install --os=linux --cpu=x64 --libc=glibc\` in the Lambda folder (the first of thumbing-serverless-cdk/ and aws/lambdas/process-images/ holding a package.json; "lambda" in cruddur.json or --dir change that), so sharp's Linux x64 glibc binary is installed whatever machine you build on, then checks that @img/sharp-linux-x64 matches the installed sharp. --init copies cruddur's handler (same transform as \`avatar process\`) into the folder when it has no package.json.`;

  static override examples = [
    { description: 'Build the configured Lambda folder', command: '<%= config.bin %> <%= command.id %>' },
    { description: "Start from cruddur's handler in aws/lambdas/process-images", command: '<%= config.bin %> <%= command.id %> --init' },
    { description: 'Another folder', command: '<%= config.bin %> <%= command.id %> --dir lambdas/thumbs' },
  ];

  static override flags = {
    dir: Flags.string({ description: 'The Lambda folder, relative to the project root.' }),
    init: Flags.boolean({ description: "Copy cruddur's Lambda template into the folder if it has no package.json." }),
  };

  async run(): Promise<BuildResult> {
    const { flags } = await this.parse(AvatarBuild);
    const project = this.project(flags);
    const result = await buildLambda(
      { root: project.root, candidates: project.paths.lambda, dir: flags.dir, init: flags.init },
      { exec: execProgram, logger: this.logger(flags) },
    );
    this.log(`Installed ${result.folder} for Lambda: sharp ${result.sharp.version} with ${result.sharp.binary} ${result.sharp.binaryVersion}`);
    return result;
  }
}
