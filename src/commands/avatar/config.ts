import { Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { describeAvatarConfig, resolveAvatarConfig } from '../../avatar/config.js';

export default class AvatarConfigCommand extends BaseCommand {
  static override summary = 'Print the avatar configuration: each value and where it came from.';
  static override description = `The one avatar configuration every avatar command and the local thumbnail worker use: uploads and assets buckets (ASSETS_BUCKET_NAME, else THUMBING_BUCKET_NAME, else DEST_BUCKET_NAME, else assets.<DOMAIN_NAME>), input and output folders (THUMBING_S3_FOLDER_INPUT/OUTPUT, FOLDER_INPUT/OUTPUT), size (PROCESS_WIDTH/HEIGHT), format (AVATAR_FORMAT), key rule (AVATAR_KEY_RULE) and handler folder (THUMBING_FUNCTION_PATH, else the folder whose package.json lists sharp and whose index.js exports handler). Sources, highest first: flags, the environment, .env.local, .env, thumbing-serverless-cdk/.env, cruddur.json, then the local stack's .cruddur/local.env.`;

  static override examples = [
    { description: 'Where does the assets bucket come from?', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'For scripts', command: '<%= config.bin %> <%= command.id %> --json' },
  ];

  static override flags = {
    dir: Flags.string({ description: 'The handler folder (instead of THUMBING_FUNCTION_PATH).' }),
  };

  async run(): Promise<Array<{ name: string; value: string; source: string }>> {
    const { flags } = await this.parse(AvatarConfigCommand);
    const rows = describeAvatarConfig(resolveAvatarConfig(this.project(flags), { dir: flags.dir }));
    const width = Math.max(...rows.map((r) => r.name.length));
    const valueWidth = Math.max(...rows.map((r) => r.value.length));
    for (const row of rows) this.log(`${row.name.padEnd(width)}  ${row.value.padEnd(valueWidth)}  ${row.source}`.trimEnd());
    return rows;
  }
}
