import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CruddurError } from '../core/errors.js';
import type { ExecOptions } from '../core/exec.js';
import { redact } from '../core/redact.js';
import { ecrLogin } from './login.js';

const ecrMock = mockClient(ECRClient);
// Test files share a worker: the stubbed ECRClient.prototype.send must not outlive this file.
afterAll(() => ecrMock.restore());
const token = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString('base64');

describe('ecrLogin', () => {
  afterEach(() => ecrMock.reset());

  it('asks ECR for a token and hands only the password to docker on stdin', async () => {
    ecrMock.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [{ authorizationToken: token('AWS', 'ecr-pass-123456'), proxyEndpoint: 'https://123456789012.dkr.ecr.eu-west-1.amazonaws.com', expiresAt: new Date('2026-11-23T20:00:00Z') }],
    });
    const calls: Array<{ file: string; args: string[]; options?: ExecOptions }> = [];
    const result = await ecrLogin(new ECRClient({ region: 'eu-west-1' }), async (file, args, options) => {
      calls.push({ file, args, options });
      return { exitCode: 0, stdout: 'Login Succeeded', stderr: '' };
    }, async () => true);
    expect(ecrMock.commandCalls(GetAuthorizationTokenCommand).map((c) => c.args[0].input)).toEqual([{}]);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.file).toBe('docker');
    expect(calls[0]?.args).toEqual(['login', '--username', 'AWS', '--password-stdin', '123456789012.dkr.ecr.eu-west-1.amazonaws.com']);
    expect(calls[0]?.options?.input).toBe('ecr-pass-123456');
    expect(result).toEqual({ registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com', username: 'AWS', expiresAt: '2026-11-23T20:00:00.000Z' });
    // The password is registered for redaction everywhere from now on.
    expect(redact('oops ecr-pass-123456')).toBe('oops ***');
  });

  it('without docker it fails before calling AWS, with an install hint', async () => {
    const error = await ecrLogin(new ECRClient({ region: 'us-east-1' }), async () => ({ exitCode: 0, stdout: '', stderr: '' }), async () => false).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CruddurError);
    expect((error as CruddurError).message).toBe('docker is not installed (not found on PATH)');
    expect((error as CruddurError).suggestion).toMatch(/install Docker/);
    expect(ecrMock.calls()).toHaveLength(0);
  });

  it('a failing docker login is one line with docker\'s reason', async () => {
    ecrMock.on(GetAuthorizationTokenCommand).resolves({ authorizationData: [{ authorizationToken: token('AWS', 'p4ssw0rd-xyz'), proxyEndpoint: 'https://1.dkr.ecr.us-east-1.amazonaws.com' }] });
    const error = await ecrLogin(new ECRClient({ region: 'us-east-1' }), async () => ({ exitCode: 1, stdout: '', stderr: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock.\nmore' }), async () => true).catch((e: unknown) => e);
    expect((error as CruddurError).message).toBe('docker login to 1.dkr.ecr.us-east-1.amazonaws.com failed: Cannot connect to the Docker daemon at unix:///var/run/docker.sock.');
  });
});
