import type { ECRClient } from '@aws-sdk/client-ecr';
import { fromAwsError } from '../aws/errors.js';
import { loadSdk } from '../aws/sdk.js';
import { CruddurError, firstLine } from '../core/errors.js';
import { hasProgram, type ExecOptions, type ExecResult } from '../core/exec.js';
import { redactor } from '../core/redact.js';

export type Exec = (file: string, args: string[], options?: ExecOptions) => Promise<ExecResult>;

export interface EcrLoginResult {
  registry: string;
  username: string;
  /** ISO time at which the registry password expires (12 h after issue). */
  expiresAt: string | undefined;
}

export const DOCKER_INSTALL_HINT =
  'install Docker (https://docs.docker.com/engine/install/) or skip this step (`cruddur bootstrap --skip ecr`)';

interface Token {
  username: string;
  password: string;
  registry: string;
  expiresAt: string | undefined;
}

async function fetchToken(ecr: ECRClient): Promise<Token> {
  const { GetAuthorizationTokenCommand } = loadSdk<typeof import('@aws-sdk/client-ecr')>('@aws-sdk/client-ecr');
  let response;
  try {
    response = await ecr.send(new GetAuthorizationTokenCommand({}));
  } catch (error) {
    throw fromAwsError(error, 'get an ECR authorization token');
  }
  const data = response.authorizationData?.[0];
  const decoded = Buffer.from(data?.authorizationToken ?? '', 'base64').toString('utf8');
  const split = decoded.indexOf(':');
  if (!data?.proxyEndpoint || split <= 0) {
    throw new CruddurError('ECR returned no usable authorization token', {
      suggestion: 'check that ECR is available in this region (--region) and try again',
      code: 'ECR_NO_TOKEN',
    });
  }
  const password = decoded.slice(split + 1);
  redactor.add(password);
  redactor.add(data.authorizationToken);
  return {
    username: decoded.slice(0, split),
    password,
    registry: new URL(data.proxyEndpoint.includes('://') ? data.proxyEndpoint : `https://${data.proxyEndpoint}`).host,
    expiresAt: data.expiresAt?.toISOString(),
  };
}

/**
 * Logs Docker in to the account's ECR registry: GetAuthorizationToken, then
 * `docker login --username AWS --password-stdin <registry>`. The password only ever travels on stdin.
 */
export async function ecrLogin(ecr: ECRClient, exec: Exec, which: (file: string) => Promise<boolean> = hasProgram): Promise<EcrLoginResult> {
  // Check Docker first: no point asking AWS for a token nobody can use.
  if (!(await which('docker'))) {
    throw new CruddurError('docker is not installed (not found on PATH)', { suggestion: DOCKER_INSTALL_HINT, code: 'PROGRAM_MISSING' });
  }
  const token = await fetchToken(ecr);
  const result = await exec('docker', ['login', '--username', token.username, '--password-stdin', token.registry], {
    input: token.password,
    installHint: DOCKER_INSTALL_HINT,
    timeoutMs: 60_000,
  });
  if (result.exitCode !== 0) {
    const why = firstLine(result.stderr || result.stdout) || `exit code ${result.exitCode}`;
    throw new CruddurError(`docker login to ${token.registry} failed: ${why}`, {
      suggestion: 'check that the Docker daemon is running (`docker info`) and try again',
      code: 'ECR_DOCKER_LOGIN_FAILED',
    });
  }
  return { registry: token.registry, username: token.username, expiresAt: token.expiresAt };
}
