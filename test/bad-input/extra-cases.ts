// Bad-input cases for configuration that every command reads (connection URLs, credentials, --cwd) and `local`.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { registerSecret } from '../support/cli.js';
import type { BadInputCase } from './corpus.js';

for (const secret of ['Url-S3cret-1', 'Url-S3cret-2', 'Url-S3cret-3']) registerSecret(secret);

export const EXTRA_CASES: BadInputCase[] = [
  {
    name: 'env: --check with --stdout',
    args: ['env', 'generate', '--check', '--stdout'],
    exitCode: 2,
    error: /^--stdout cannot also be provided when using --check$/,
  },
  {
    name: 'config: CONNECTION_URL with no host',
    args: ['db', 'status'],
    env: () => ({ CONNECTION_URL: 'postgresql://postgres:Url-S3cret-1@/cruddur' }),
    exitCode: 1,
    error: /^CONNECTION_URL is malformed: it is not a valid URL \(characters such as @ : \/ # in the password must be percent-encoded: @ as %40\)$/,
  },
  {
    name: 'config: CONNECTION_URL with a port that is not a number',
    args: ['db', 'status'],
    env: () => ({ CONNECTION_URL: 'postgresql://postgres:Url-S3cret-2@127.0.0.1:pg/cruddur' }),
    exitCode: 1,
    error: /^CONNECTION_URL is malformed: it is not a valid URL \(characters such as @ : \/ # in the password must be percent-encoded: @ as %40\)$/,
  },
  {
    name: 'config: CONNECTION_URL with no database name',
    args: ['db', 'status'],
    env: () => ({ CONNECTION_URL: 'postgresql://postgres:Url-S3cret-3@127.0.0.1:5432' }),
    exitCode: 1,
    error: /^CONNECTION_URL is malformed: it names no database \(the path after the host, e\.g\. \/cruddur\)$/,
  },
  {
    name: 'config: PROD_CONNECTION_URL that is just a word',
    args: ['db', 'status', '--prod'],
    env: () => ({ PROD_CONNECTION_URL: 'production' }),
    exitCode: 1,
    error: /^PROD_CONNECTION_URL is malformed: it is not a valid URL \(characters such as @ : \/ # in the password must be percent-encoded: @ as %40\)$/,
  },
  {
    name: 'config: CONNECTION_URL malformed in .env (not the environment)',
    args: ['db', 'status'],
    setup: (ctx) => writeFile(join(ctx.app, '.env'), 'CONNECTION_URL=postgres//nohost\n'),
    exitCode: 1,
    error: /^CONNECTION_URL is malformed: it is not a valid URL \(characters such as @ : \/ # in the password must be percent-encoded: @ as %40\)$/,
  },
  {
    name: 'config: --region given an empty value (never a fallback to AWS_REGION)',
    args: ['rds', 'update-sg', '--ip', '203.0.113.7', '--dry-run', '--region', ''],
    exitCode: 2,
    error: /^--region was given an empty value$/,
  },
  {
    name: 'config: --profile given an empty value (never a fallback to AWS_PROFILE)',
    args: ['ecr', 'login', '--profile', ' '],
    exitCode: 2,
    error: /^--profile was given an empty value$/,
  },
  {
    name: 'config: AWS_ENDPOINT_URL that is not a URL names the variable',
    args: ['ecr', 'login'],
    env: () => ({ AWS_ENDPOINT_URL: 'not a url', AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'x' }),
    exitCode: 1,
    error: /^The ecr endpoint "not a url" \(from AWS_ENDPOINT_URL\) is not an http\(s\) URL$/,
  },
  {
    name: 'config: --region that is not a region',
    args: ['rds', 'update-sg', '--ip', '203.0.113.7', '--region', 'not a region!'],
    env: (ctx) => ({ DB_SG_ID: 'sg-0123456789abcdef0', AWS_ENDPOINT_URL_EC2: ctx.fakeAws, AWS_ACCESS_KEY_ID: 'AKIAFAKE', AWS_SECRET_ACCESS_KEY: 'fake' }),
    exitCode: 1,
    error: /^Could not list the rules of security group sg-0123456789abcdef0: "not a region!" is not a valid AWS region$/,
  },
  {
    name: 'local: --cwd that is a file',
    args: ['local', 'status', '--cwd', 'README.md'],
    exitCode: 2,
    error: /^--cwd README\.md is not a folder$/,
  },
  {
    name: 'local: logs -n 0',
    args: ['local', 'logs', '-n', '0'],
    exitCode: 2,
    error: /^Parsing --lines Expected an integer greater than or equal to 1 but received: 0$/,
  },
];
