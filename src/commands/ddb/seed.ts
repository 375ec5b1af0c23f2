import { Args } from '@oclif/core';
import { yesFlag } from '../../db-base-command.js';
import { DdbCommand, ddbTargetFlags } from '../../ddb-base-command.js';
import { renderTable } from '../../core/table.js';
import type { SeedResult } from '../../ddb/ddb.js';

export default class DdbSeed extends DdbCommand {
  static override summary = 'Put the seed items into DynamoDB (a re-run adds no duplicates).';
  static override description = `The bootcamp's bin/ddb/seed, from a JSON file ("ddbSeed" in cruddur.json, default
backend-flask/db/ddb-seed.json): an array of plain JSON items for the table of the definition, or DynamoDB JSON
({"Items": [...]} as \`aws dynamodb scan\` prints it, or {"<table>": [{"PutRequest": {"Item": ...}}]}).
Items go in BatchWriteItem calls of 25; UnprocessedItems are sent again with backoff until none are left.
Each item replaces the one with its key, so running it again changes nothing.`;

  static override examples = [
    { description: 'Seed the local messages table', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'From another file', command: '<%= config.bin %> <%= command.id %> tmp/messages.json' },
  ];

  static override args = {
    file: Args.string({ ignoreStdin: true, description: 'Seed file (default: ddbSeed in cruddur.json).' }),
  };

  static override flags = { ...ddbTargetFlags, ...yesFlag };

  async run(): Promise<SeedResult> {
    const { args, flags } = await this.parse(DdbSeed);
    const project = this.project(flags);
    const [{ loadSeedFile }, { seedTables }] = await Promise.all([import('../../ddb/files.js'), import('../../ddb/ddb.js')]);
    const seed = await loadSeedFile(project, args.file);
    const { store, target } = await this.dynamo(flags);
    await this.confirmProd(flags, target, 'Seed', [...seed.items.tables.keys()].join(', '));
    const result = await seedTables(store, seed.items, seed.file, {}, this.logger(flags));
    this.log(`Seeded from ${result.file} (${result.format === 'plain' ? 'plain JSON' : 'DynamoDB JSON'}; ${target.display})`);
    this.log(renderTable(['table', 'items', 'written', 'repeated keys', 'retried batches'], result.tables.map((t) => [t.table, String(t.items), String(t.written), String(t.duplicateKeys), String(t.retries)])));
    return result;
  }
}
