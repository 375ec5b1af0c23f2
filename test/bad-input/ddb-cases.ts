// Bad-input cases for `ddb`, `prepare` and `local up --listen`: each fails before any DynamoDB is started or called.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BadInputCase } from './corpus.js';

export const DDB_CASES: BadInputCase[] = [
  {
    name: 'ddb: ddbSchema in cruddur.json that does not exist',
    args: ['ddb', 'schema-load'],
    setup: (ctx) => writeFile(join(ctx.app, 'cruddur.json'), JSON.stringify({ ddbSchema: 'db/messages.json' })),
    exitCode: 1,
    error: /^The DynamoDB table definition db\/messages\.json \(ddbSchema in cruddur\.json\) does not exist$/,
  },
  {
    name: 'ddb: a table definition that is not JSON',
    args: ['ddb', 'schema-load'],
    setup: (ctx) => writeFile(join(ctx.app, 'backend-flask', 'db', 'ddb-schema.json'), '{ TableName: cruddur-messages }'),
    exitCode: 1,
    error: /^backend-flask\/db\/ddb-schema\.json: not valid JSON/,
  },
  {
    name: 'ddb: a table definition without KeySchema',
    args: ['ddb', 'schema-load'],
    setup: (ctx) => writeFile(join(ctx.app, 'backend-flask', 'db', 'ddb-schema.json'), '{"TableName": "t"}'),
    exitCode: 1,
    error: /^backend-flask\/db\/ddb-schema\.json: "KeySchema" must list the key attributes$/,
  },
  {
    name: 'ddb: a seed file that does not exist',
    args: ['ddb', 'seed', 'tmp/nope.json'],
    exitCode: 1,
    error: /^The DynamoDB seed file tmp\/nope\.json does not exist$/,
  },
  {
    name: 'ddb: a seed item that is not an object',
    args: ['ddb', 'seed', 'tmp/items.json'],
    setup: async (ctx) => {
      const { mkdir } = await import('node:fs/promises');
      await mkdir(join(ctx.app, 'tmp'), { recursive: true });
      await writeFile(join(ctx.app, 'tmp', 'items.json'), '[{"pk": "a", "sk": "b"}, "oops"]');
    },
    exitCode: 1,
    error: /^tmp\/items\.json: item 2 is not a JSON object$/,
  },
  {
    name: 'ddb: scan without a table',
    args: ['ddb', 'scan'],
    exitCode: 2,
    error: /^Missing 1 required arg/,
  },
  {
    name: 'prepare: --skip of an unknown step',
    args: ['prepare', '--skip', 'cognitoo'],
    exitCode: 2,
    error: /^Expected --skip=cognitoo to be one of: db, cognito, ddb-schema, ddb-seed/,
  },
  {
    name: 'local: --listen that is not an IP address',
    args: ['local', 'up', '--listen', 'my-laptop'],
    exitCode: 2,
    error: /^--listen my-laptop is not an IP address$/,
  },
];
