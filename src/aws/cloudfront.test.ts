import { CloudFrontClient, CreateInvalidationCommand, GetDistributionCommand, GetInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createCloudFront } from './cloudfront.js';

// No local CloudFront emulator checks these rules (moto accepts anything): an SDK mock asserting the exact requests.
const cf = mockClient(CloudFrontClient);
afterEach(() => cf.reset());
afterAll(() => cf.restore());

const client = () => createCloudFront(new CloudFrontClient({ region: 'us-east-1' }));
const notFound = () => Object.assign(new Error('The specified distribution does not exist.'), { name: 'NoSuchDistribution', $metadata: { httpStatusCode: 404 } });
const distribution = (Id: string | undefined, Status = 'Deployed', DomainName = 'd111111abcdef8.cloudfront.net') =>
  ({ Distribution: { Id, Status, DomainName, ARN: 'arn', LastModifiedTime: new Date(), InProgressInvalidationBatches: 0, DistributionConfig: undefined } }) as never;

describe('CloudFront adapter', () => {
  it('reads a distribution with GetDistribution; a missing one is undefined', async () => {
    cf.on(GetDistributionCommand, { Id: 'EOK' }).resolves(distribution('EOK')).on(GetDistributionCommand, { Id: 'EGONE' }).rejects(notFound());
    await expect(client().getDistribution('EOK')).resolves.toEqual({ id: 'EOK', status: 'Deployed', domainName: 'd111111abcdef8.cloudfront.net' });
    await expect(client().getDistribution('EGONE')).resolves.toBeUndefined();
    expect(cf.commandCalls(GetDistributionCommand).map((c) => c.args[0].input)).toEqual([{ Id: 'EOK' }, { Id: 'EGONE' }]);
  });

  it('turns access errors into a CruddurError with a fix', async () => {
    cf.on(GetDistributionCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    await expect(client().getDistribution('E1')).rejects.toThrow(/Could not read CloudFront distribution E1: access denied/);
  });

  it('rejects a GetDistribution answer without the distribution', async () => {
    cf.on(GetDistributionCommand).resolves({});
    await expect(client().getDistribution('E1')).rejects.toMatchObject({ code: 'AWS_BAD_RESPONSE', message: 'Could not read CloudFront distribution E1: CloudFront answered without Distribution.Id' });
  });

  it('sends one CreateInvalidation with the exact paths, then waits with GetInvalidation', async () => {
    cf.on(CreateInvalidationCommand).resolves({ Invalidation: { Id: 'I42', Status: 'InProgress', CreateTime: new Date(), InvalidationBatch: undefined } });
    cf.on(GetInvalidationCommand).resolves({ Invalidation: { Id: 'I42', Status: 'Completed', CreateTime: new Date(), InvalidationBatch: undefined } });
    const cloudfront = client();
    await expect(cloudfront.createInvalidation('E1', ['/', '/index.html', '/static/*'], 'cruddur-ref')).resolves.toEqual({ id: 'I42', status: 'InProgress' });
    await cloudfront.waitForInvalidation('E1', 'I42', 60);
    expect(cf.commandCalls(CreateInvalidationCommand).map((c) => c.args[0].input)).toEqual([
      { DistributionId: 'E1', InvalidationBatch: { CallerReference: 'cruddur-ref', Paths: { Quantity: 3, Items: ['/', '/index.html', '/static/*'] } } },
    ]);
    expect(cf.commandCalls(GetInvalidationCommand).map((c) => c.args[0].input)).toEqual([{ DistributionId: 'E1', Id: 'I42' }]);
  });

  it.each([
    ['no Invalidation', {}, 'Invalidation.Id'],
    ['an Invalidation without Id', { Invalidation: { Status: 'InProgress' } }, 'Invalidation.Id'],
    ['an Invalidation without Status', { Invalidation: { Id: 'I1' } }, 'Invalidation.Status'],
  ])('an answer with %s is an error, never an empty id', async (_name, answer, missing) => {
    cf.on(CreateInvalidationCommand).resolves(answer as never);
    await expect(client().createInvalidation('E1', ['/avatars/*'], 'ref')).rejects.toMatchObject({
      code: 'AWS_BAD_RESPONSE',
      message: `Could not invalidate /avatars/* on CloudFront distribution E1: CloudFront answered without ${missing}`,
      suggestion: expect.stringContaining('AWS_ENDPOINT_URL_CLOUDFRONT'),
    });
  });
});
