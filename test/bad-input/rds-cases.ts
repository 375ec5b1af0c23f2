// Bad-input cases for `cruddur rds update-sg` (run by bad-input.e2e.test.ts with the rest of the corpus).
import { registerSecret } from '../support/cli.js';
import type { BadInputCase, CaseContext } from './corpus.js';

const EXPIRED = { AWS_ACCESS_KEY_ID: 'ASIAEXPIREDRDS000000', AWS_SECRET_ACCESS_KEY: 'rds-expired-secret-key-0000', AWS_SESSION_TOKEN: 'rds-expired-session-token-0000' };
for (const secret of [EXPIRED.AWS_SECRET_ACCESS_KEY, EXPIRED.AWS_SESSION_TOKEN]) registerSecret(secret);

/** EC2 pointed at the fake (which answers ExpiredToken to the EC2 calls), so a case can never reach AWS. */
const ec2 = (ctx: CaseContext, extra: Record<string, string> = {}) => ({ AWS_ENDPOINT_URL_EC2: ctx.fakeAws, AWS_DEFAULT_REGION: 'us-east-1', ...EXPIRED, ...extra });

export const RDS_CASES: BadInputCase[] = [
  {
    name: 'rds: --cidr wider than one host',
    args: ['rds', 'update-sg', '--cidr', '0.0.0.0/0'],
    env: (ctx) => ec2(ctx, { DB_SG_ID: 'sg-0123456789abcdef0' }),
    exitCode: 2,
    error: /^--cidr 0\.0\.0\.0\/0 opens port to more than one host \(only \/32 is allowed for IPv4\)$/,
  },
  {
    name: 'rds: --cidr /64 for IPv6',
    args: ['rds', 'update-sg', '--cidr', '2001:db8::/64'],
    env: (ctx) => ec2(ctx, { DB_SG_ID: 'sg-0123456789abcdef0' }),
    exitCode: 2,
    error: /^--cidr 2001:db8::\/64 opens port to more than one host \(only \/128 is allowed for IPv6\)$/,
  },
  {
    name: 'rds: --cidr that is not a CIDR',
    args: ['rds', 'update-sg', '--cidr', '10.0.0/33'],
    env: (ctx) => ec2(ctx, { DB_SG_ID: 'sg-0123456789abcdef0' }),
    exitCode: 2,
    error: /^--cidr "10\.0\.0\/33" is not a CIDR$/,
  },
  {
    name: 'rds: invalid --ip',
    args: ['rds', 'update-sg', '--ip', '300.1.2.3'],
    env: (ctx) => ec2(ctx, { DB_SG_ID: 'sg-0123456789abcdef0' }),
    exitCode: 2,
    error: /^--ip "300\.1\.2\.3" is not an IPv4 or IPv6 address$/,
  },
  {
    name: 'rds: invalid GITPOD_IP',
    args: ['rds', 'update-sg'],
    env: (ctx) => ec2(ctx, { DB_SG_ID: 'sg-0123456789abcdef0', GITPOD_IP: 'my-laptop' }),
    exitCode: 1,
    error: /^GITPOD_IP "my-laptop" is not an IPv4 or IPv6 address$/,
  },
  {
    name: 'rds: missing DB_SG_ID',
    args: ['rds', 'update-sg', '--ip', '203.0.113.7'],
    env: (ctx) => ec2(ctx),
    exitCode: 2,
    error: /^No security group given$/,
  },
  {
    name: 'rds: --port 0',
    args: ['rds', 'update-sg', '--ip', '203.0.113.7', '--port', '0'],
    env: (ctx) => ec2(ctx, { DB_SG_ID: 'sg-0123456789abcdef0' }),
    exitCode: 2,
    error: /^Parsing --port Expected an integer greater than or equal to 1 but received: 0$/,
  },
  {
    name: 'rds: --port that is not a number',
    args: ['rds', 'update-sg', '--ip', '203.0.113.7', '--port', 'postgres'],
    env: (ctx) => ec2(ctx, { DB_SG_ID: 'sg-0123456789abcdef0' }),
    exitCode: 2,
    error: /^Parsing --port Expected an integer but received: postgres$/,
  },
  {
    name: 'rds: expired credentials (EC2 answers ExpiredToken)',
    args: ['rds', 'update-sg', '--ip', '203.0.113.7'],
    env: (ctx) => ec2(ctx, { DB_SG_ID: 'sg-0123456789abcdef0' }),
    exitCode: 1,
    error: /^Could not list the rules of security group sg-0123456789abcdef0: the AWS credentials have expired$/,
  },
];
