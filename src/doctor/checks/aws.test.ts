import { CloudFrontClient, GetDistributionCommand } from '@aws-sdk/client-cloudfront';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { AwsClients, resolveAwsSettings } from '../../aws/clients.js';
import type { DoctorSettings } from '../settings.js';
import type { DoctorContext } from '../types.js';
import { awsIdentityOutcome, cloudfrontOutcome, distributionIds } from './aws.js';

const sts = mockClient(STSClient);
const cloudfront = mockClient(CloudFrontClient);
const aws = new AwsClients(resolveAwsSettings({ env: { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'x', AWS_REGION: 'eu-west-1' } }));
const setting = (name: string, value: string) => ({ value, source: 'env' as const, name });
const ctx = (settings: DoctorSettings = {}): DoctorContext => ({ settings, aws, signal: new AbortController().signal } as unknown as DoctorContext);
afterAll(() => {
  aws.destroy();
  sts.restore();
  cloudfront.restore();
});
beforeEach(() => {
  sts.reset();
  cloudfront.reset();
});
const awsError = (name: string, message: string, status?: number) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

describe('AWS identity check', () => {
  it('shows the account and ARN', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/andrew', UserId: 'AIDAEXAMPLE' });
    await expect(awsIdentityOutcome(ctx())).resolves.toEqual({ status: 'ok', detail: 'account 123456789012, arn:aws:iam::123456789012:user/andrew (region eu-west-1)' });
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(1);
  });

  it('skips without asking STS when only the local stack keys are set', async () => {
    const local = new AwsClients(resolveAwsSettings({ env: { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:1' } }));
    await expect(awsIdentityOutcome({ aws: local, signal: new AbortController().signal })).resolves.toMatchObject({ status: 'skip', fix: expect.stringContaining('AWS_PROFILE') });
    expect(sts.calls()).toHaveLength(0);
  });

  it.each([
    ['credentials the SDK could not load are a failure naming the variables', awsError('CredentialsProviderError', 'Could not load credentials from any providers'), 'fail', 'AWS_ACCESS_KEY_ID'],
    ['rejected keys fail', awsError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403), 'fail', 'AWS_ACCESS_KEY_ID'],
    ['expired credentials fail', awsError('ExpiredToken', 'The security token included in the request is expired', 400), 'fail', 'aws sso login'],
  ])('%s', async (_name, error, status, fix) => {
    sts.on(GetCallerIdentityCommand).rejects(error);
    const outcome = await awsIdentityOutcome(ctx());
    expect(outcome.status).toBe(status);
    expect(outcome.fix).toContain(fix);
  });
});

describe('AWS identity check without any AWS configuration', () => {
  it('is a skip naming the variables (no profile chosen or in the files, no keys)', async () => {
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
    for (const name of ['AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) vi.stubEnv(name, undefined);
    vi.stubEnv('HOME', '/nonexistent-home');
    const none = new AwsClients(resolveAwsSettings({ env: { HOME: '/nonexistent-home' } }));
    try {
      const outcome = await awsIdentityOutcome({ aws: none, signal: new AbortController().signal });
      expect(outcome).toMatchObject({ status: 'skip', fix: expect.stringContaining('AWS_PROFILE') });
      expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(0);
    } finally {
      none.destroy();
      vi.unstubAllEnvs();
    }
  });

  it('an unknown profile is a failure naming it', async () => {
    const typo = new AwsClients(resolveAwsSettings({ env: { HOME: '/nonexistent-home', AWS_PROFILE: 'typo' } }));
    const outcome = await awsIdentityOutcome({ aws: typo, signal: new AbortController().signal });
    typo.destroy();
    expect(outcome).toMatchObject({ status: 'fail', detail: expect.stringContaining('"typo"'), fix: expect.stringContaining('aws configure') });
  });
});

describe('CloudFront check', () => {
  it.each([
    [{}, []],
    [{ avatarDistributionId: setting('CLOUDFRONT_DISTRIBUTION_ID', 'E1') }, ['E1']],
    [{ avatarDistributionId: setting('CLOUDFRONT_DISTRIBUTION_ID', 'E1'), syncDistributionId: setting('SYNC_CLOUDFRONT_DISTRUBTION_ID', 'E1') }, ['E1']],
    [{ avatarDistributionId: setting('CLOUDFRONT_DISTRIBUTION_ID', 'E1'), syncDistributionId: setting('SYNC_CLOUDFRONT_DISTRIBUTION_ID', 'E2') }, ['E1', 'E2']],
  ])('distributionIds(%j) = %j', (settings, ids) => {
    expect(distributionIds(settings as DoctorSettings)).toEqual(ids);
  });

  it('skips with the variable to set when none is configured', async () => {
    await expect(cloudfrontOutcome(ctx())).resolves.toMatchObject({ status: 'skip', fix: expect.stringContaining('CLOUDFRONT_DISTRIBUTION_ID') });
    expect(cloudfront.calls()).toHaveLength(0);
  });

  it('gets every configured distribution', async () => {
    cloudfront.on(GetDistributionCommand).callsFake((input: { Id: string }) => ({ Distribution: { Id: input.Id, Status: 'Deployed', DomainName: `${input.Id.toLowerCase()}.cloudfront.net` } }));
    await expect(cloudfrontOutcome(ctx({ avatarDistributionId: setting('CLOUDFRONT_DISTRIBUTION_ID', 'EASSETS'), syncDistributionId: setting('SYNC_CLOUDFRONT_DISTRUBTION_ID', 'ESITE') }))).resolves.toEqual({
      status: 'ok',
      detail: 'EASSETS Deployed eassets.cloudfront.net; ESITE Deployed esite.cloudfront.net',
    });
    expect(cloudfront.commandCalls(GetDistributionCommand).map((c) => c.args[0].input)).toEqual([{ Id: 'EASSETS' }, { Id: 'ESITE' }]);
  });

  it('fails for a distribution that does not exist', async () => {
    cloudfront.on(GetDistributionCommand).rejects(awsError('NoSuchDistribution', 'The specified distribution does not exist.', 404));
    await expect(cloudfrontOutcome(ctx({ avatarDistributionId: setting('CLOUDFRONT_DISTRIBUTION_ID', 'EGONE') }))).resolves.toMatchObject({
      status: 'fail',
      detail: 'CloudFront distribution EGONE does not exist',
      fix: expect.stringContaining('list-distributions'),
    });
  });
});
