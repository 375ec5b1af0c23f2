import { mkdir, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What a case may use: the app dir and the shared servers' variables. */
export interface CaseContext {
  app: string;
  /** s3rver with the default buckets (uploads, assets, site), as CLI variables. */
  s3: Record<string, string>;
  /** The same s3rver behind a proxy that answers 403 AccessDenied to everything. */
  s3Denied: Record<string, string>;
  /** A reachable PostgreSQL: `postgresql://postgres:<password>@127.0.0.1:<port>` (no database). */
  pgBase: string;
  /** A fake AWS endpoint (answers 500 "no route" to anything it is not told) for EC2/STS/CloudFront/ECR. */
  fakeAws: string;
}

export interface BadInputCase {
  name: string;
  args: string[];
  env?: (ctx: CaseContext) => Record<string, string>;
  /** Prepare the app dir (write a broken template, a corrupt image, ...). */
  setup?: (ctx: CaseContext) => Promise<void>;
  /** Documented exit code: 1 failure, 2 usage. */
  exitCode: 1 | 2;
  /** The error line (after `Error: `) must match. */
  error: RegExp;
}

const write = (ctx: CaseContext, path: string, content: string | Buffer) =>
  mkdir(join(ctx.app, path, '..'), { recursive: true }).then(() => writeFile(join(ctx.app, path), content));

export const DEMO_ENV = {
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_COGNITO_USER_POOL_ID: 'us-east-1_DemoPool1',
  AWS_COGNITO_USER_POOL_CLIENT_ID: 'demo0client0id0000000000',
  CONNECTION_URL: 'postgresql://postgres:demo-not-secret@127.0.0.1:1/cruddur',
  FRONTEND_URL: 'http://localhost:3000',
  BACKEND_URL: 'http://localhost:4567',
  DOMAIN_NAME: 'demo.cruddur.test',
};

/** Cases for env, config, ecr, bootstrap and local. Other domains append theirs in their own files. */
export const CORE_CASES: BadInputCase[] = [
  {
    name: 'env template with an unclosed tag',
    args: ['env', 'generate'],
    env: () => DEMO_ENV,
    setup: (ctx) => write(ctx, 'erb/backend-flask.env.erb', "A=<%= ENV['BACKEND_URL'] \nB=2\n"),
    exitCode: 1,
    error: /^Template erb\/backend-flask\.env\.erb.* could not be rendered/,
  },
  {
    name: 'env template with an unsupported Ruby method in a tag',
    args: ['env', 'generate'],
    env: () => DEMO_ENV,
    setup: (ctx) => write(ctx, 'erb/sync.env.erb', "A=1\nB=<%= ENV['DOMAIN_NAME'].nope.deeper %>\n"),
    exitCode: 1,
    error: /^Template erb\/sync\.env\.erb:2 could not be rendered: unsupported Ruby method "\.nope"/,
  },
  {
    name: 'binary env template',
    args: ['env', 'generate'],
    env: () => DEMO_ENV,
    setup: (ctx) => write(ctx, 'erb/binary.env.erb', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02])),
    exitCode: 1,
    error: /^erb\/binary\.env\.erb is not a text template/,
  },
  {
    name: 'missing variables',
    args: ['env', 'generate'],
    env: () => ({ ...DEMO_ENV, DOMAIN_NAME: undefined as unknown as string }),
    exitCode: 1,
    error: /^1 variable is not set: DOMAIN_NAME \(erb\/sync\.env\.erb:1\)$/,
  },
  {
    name: 'unknown env template name',
    args: ['env', 'generate', 'backend'],
    env: () => DEMO_ENV,
    exitCode: 2,
    error: /^Unknown env template: backend$/,
  },
  {
    name: 'unknown key in cruddur.json',
    args: ['env', 'generate'],
    env: () => DEMO_ENV,
    setup: (ctx) => write(ctx, 'cruddur.json', '{"templatez": "erb"}'),
    exitCode: 1,
    error: /^cruddur\.json: "templatez" is not a known key/,
  },
  {
    name: 'cruddur.json that is not JSON',
    args: ['env', 'generate'],
    env: () => DEMO_ENV,
    setup: (ctx) => write(ctx, 'cruddur.json', '{ "schema": '),
    exitCode: 1,
    error: /^cruddur\.json is not valid JSON/,
  },
  {
    name: 'wrong type in cruddur.json',
    args: ['env', 'generate'],
    env: () => DEMO_ENV,
    setup: (ctx) => write(ctx, 'cruddur.json', '{"schema": ["a"]}'),
    exitCode: 1,
    error: /^cruddur\.json: "schema" must be a non-empty string/,
  },
  {
    name: 'unknown command (a typo gets the closest command)',
    args: ['db', 'migrat'],
    exitCode: 2,
    error: /^"db migrat" is not a cruddur command$/,
  },
  {
    name: 'unknown command with nothing close',
    args: ['deploy', 'everything'],
    exitCode: 2,
    error: /^"deploy everything" is not a cruddur command$/,
  },
  {
    name: 'unknown flag',
    args: ['bootstrap', '--fast'],
    exitCode: 2,
    error: /^Nonexistent flag: --fast/,
  },
  {
    name: 'bootstrap --skip with an unknown step',
    args: ['bootstrap', '--skip', 'docker'],
    exitCode: 2,
    error: /^Expected --skip=docker to be one of: ecr, env, rds, db/,
  },
  {
    name: 'ecr login with expired credentials',
    args: ['ecr', 'login'],
    env: (ctx) => ({ AWS_ACCESS_KEY_ID: 'ASIAFAKEFAKEFAKE0000', AWS_SECRET_ACCESS_KEY: 'expired-secret-key-0000', AWS_SESSION_TOKEN: 'expired-session-token-0000', AWS_ENDPOINT_URL_ECR: ctx.fakeAws, PATH: `${ctx.app}/fakebin:${process.env.PATH}` }),
    setup: async (ctx) => {
      await write(ctx, 'fakebin/docker', '#!/bin/sh\nexit 0\n');
      const { chmod } = await import('node:fs/promises');
      await chmod(join(ctx.app, 'fakebin/docker'), 0o755);
    },
    exitCode: 1,
    error: /^Could not get an ECR authorization token: the AWS credentials have expired/,
  },
  {
    name: 'env generate in a project dir given by --cwd that does not exist',
    args: ['env', 'generate', '--cwd', '/nonexistent/place with spaces/ünïcode'],
    env: () => DEMO_ENV,
    exitCode: 2,
    error: /^--cwd \/nonexistent\/place with spaces\/ünïcode is not a folder$/,
  },
  {
    name: 'symlink loop in the templates folder is ignored, missing variable still reported',
    args: ['env', 'generate'],
    env: () => ({ ...DEMO_ENV, BACKEND_URL: undefined as unknown as string }),
    setup: async (ctx) => {
      await symlink(join(ctx.app, 'erb', 'loop'), join(ctx.app, 'erb', 'loop')).catch(() => {});
    },
    exitCode: 1,
    error: /^1 variable is not set: BACKEND_URL/,
  },
  {
    name: 'a 0-byte env template renders an empty file but a 0-byte cruddur.json is an error',
    args: ['env', 'generate'],
    env: () => DEMO_ENV,
    setup: async (ctx) => {
      await write(ctx, 'cruddur.json', '');
      await truncate(join(ctx.app, 'cruddur.json'), 0);
    },
    exitCode: 1,
    error: /^cruddur\.json is not valid JSON/,
  },
];
