// Bad-input cases for `cruddur db` (run by bad-input.e2e.test.ts with the rest of the corpus).
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { registerSecret } from '../support/cli.js';
import type { BadInputCase, CaseContext } from './corpus.js';

for (const secret of ['Sup3rSecretPw', 'Wr0ngPassw0rd-x', 'Pr0dPassw0rd', 'demo-not-secret']) registerSecret(secret);

const REFUSED = 'postgresql://postgres:demo-not-secret@127.0.0.1:1/cruddur';
const write = async (ctx: CaseContext, path: string, content: string) => {
  await mkdir(join(ctx.app, path, '..'), { recursive: true });
  await writeFile(join(ctx.app, path), content);
};
const withPassword = (base: string, password: string, database: string) => {
  const url = new URL(`${base}/${database}`);
  url.password = password;
  return url.toString();
};

export const DB_CASES: BadInputCase[] = [
  {
    name: 'db: malformed CONNECTION_URL',
    args: ['db', 'status'],
    env: () => ({ CONNECTION_URL: 'postgres://app:Sup3rSecretPw@[broken/cruddur' }),
    exitCode: 1,
    error: /^CONNECTION_URL is malformed: the bracketed IPv6 host is not valid$/,
  },
  {
    name: 'db: a % in the password that is not percent-encoded',
    args: ['db', 'status'],
    env: () => ({ CONNECTION_URL: 'postgresql://cruddurroot:50%offSup3rSecret@127.0.0.1:5432/cruddur' }),
    exitCode: 1,
    error: /^CONNECTION_URL is malformed: the password has a "%" that is not followed by two hex digits \(write % as %25\)$/,
  },
  {
    name: 'db: URL with another scheme',
    args: ['db', 'status'],
    env: () => ({ CONNECTION_URL: 'mysql://app:pw@127.0.0.1/cruddur' }),
    exitCode: 1,
    error: /^CONNECTION_URL is malformed: the scheme is "mysql", not postgresql$/,
  },
  {
    name: 'db: wrong password',
    args: ['db', 'create'],
    env: (ctx) => ({ CONNECTION_URL: withPassword(ctx.pgBase, 'Wr0ngPassw0rd-x', 'cruddur') }),
    exitCode: 1,
    error: /^Authentication failed for user "postgres" on 127\.0\.0\.1:\d+/,
  },
  {
    name: 'db: unknown database',
    args: ['db', 'migrate'],
    env: (ctx) => ({ CONNECTION_URL: `${ctx.pgBase}/no_such_db` }),
    exitCode: 1,
    error: /^Database "no_such_db" does not exist on 127\.0\.0\.1:\d+$/,
  },
  {
    name: 'db: connection refused',
    args: ['db', 'status'],
    env: () => ({ CONNECTION_URL: REFUSED }),
    exitCode: 1,
    error: /^Could not connect to PostgreSQL at 127\.0\.0\.1:1: connection refused$/,
  },
  {
    name: 'db: missing schema.sql',
    args: ['db', 'schema-load'],
    env: () => ({ CONNECTION_URL: REFUSED }),
    setup: (ctx) => rm(join(ctx.app, 'backend-flask/db/schema.sql'), { force: true }),
    exitCode: 1,
    error: /^backend-flask\/db\/schema\.sql does not exist$/,
  },
  {
    name: 'db: SQL migration without -- migrate:up',
    args: ['db', 'status'],
    env: () => ({ CONNECTION_URL: REFUSED }),
    setup: (ctx) => write(ctx, 'backend-flask/db/migrations/20261201000000_bad.sql', 'ALTER TABLE users ADD COLUMN x text;\n'),
    exitCode: 1,
    error: /^backend-flask\/db\/migrations\/20261201000000_bad\.sql has no "-- migrate:up" line$/,
  },
  {
    name: 'db: Python migration without SQL in migrate_sql()',
    args: ['db', 'migrate'],
    env: () => ({ CONNECTION_URL: REFUSED }),
    setup: (ctx) => write(ctx, 'backend-flask/db/migrations/17000000000000_bad.py', 'class M:\n  def migrate_sql():\n    return build_sql()\n'),
    exitCode: 1,
    error: /^backend-flask\/db\/migrations\/17000000000000_bad\.py: no SQL found in migrate_sql\(\)/,
  },
  {
    name: 'db: two migrations with one version',
    args: ['db', 'status'],
    env: () => ({ CONNECTION_URL: REFUSED }),
    setup: (ctx) => write(ctx, 'backend-flask/db/migrations/20261120090000_again.sql', '-- migrate:up\nSELECT 1;\n'),
    exitCode: 1,
    error: /^Two migrations share version 20261120090000/,
  },
  {
    name: 'db: --prod without PROD_CONNECTION_URL',
    args: ['db', 'status', '--prod'],
    exitCode: 1,
    error: /^PROD_CONNECTION_URL is not set \(nor PRD_CONNECTION_URL; needed for --prod\)$/,
  },
  {
    name: 'db: destructive --prod without a terminal or --yes',
    args: ['db', 'drop', '--prod'],
    env: () => ({ PROD_CONNECTION_URL: 'postgresql://root:Pr0dPassw0rd@127.0.0.1:1/cruddur' }),
    exitCode: 1,
    error: /^Refusing to continue without confirmation: Drop the database on PRODUCTION database "cruddur"/,
  },
  {
    name: 'db: rollback --steps 0',
    args: ['db', 'rollback', '--steps', '0'],
    env: () => ({ CONNECTION_URL: REFUSED }),
    exitCode: 2,
    error: /--steps.*greater than or equal to 1/,
  },
  {
    name: 'db: unusable migration name',
    args: ['db', 'migration', 'new', '!!!'],
    exitCode: 2,
    error: /^"!!!" is not a usable migration name$/,
  },
  {
    name: 'db: update-cognito-user-ids without a pool id',
    args: ['db', 'update-cognito-user-ids'],
    env: () => ({ CONNECTION_URL: REFUSED }),
    exitCode: 1,
    error: /^AWS_COGNITO_USER_POOL_ID is not set \(nor REACT_APP_AWS_USER_POOLS_ID\)$/,
  },
];
