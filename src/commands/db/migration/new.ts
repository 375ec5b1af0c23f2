import { Args } from '@oclif/core';
import { BaseCommand } from '../../../base-command.js';
import { newMigration, type NewMigrationResult } from '../../../migrations/new.js';

export default class DbMigrationNew extends BaseCommand {
  static override summary = 'Write a new, empty migration file.';
  static override description = 'Creates <migrations>/<UTC yyyymmddhhmmss>_<name>.sql with "-- migrate:up" and "-- migrate:down" sections to fill in.';

  static override args = { name: Args.string({ ignoreStdin: true, description: 'What the migration does, e.g. add_bio_column.', required: true }) };

  static override examples = [{ description: 'A new migration', command: '<%= config.bin %> <%= command.id %> add_bio_column' }];

  async run(): Promise<Omit<NewMigrationResult, 'path'>> {
    const { flags, args } = await this.parse(DbMigrationNew);
    const project = this.project(flags);
    const result = await newMigration(project.resolve(project.paths.migrations), project.paths.migrations.replace(/\/+$/, ''), args.name);
    this.log(`Created ${result.file}`);
    return { file: result.file, version: result.version };
  }
}
