import { CloudFrontClient, CreateInvalidationCommand, GetDistributionCommand, GetInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createCloudFrontCdn } from './cdn.js';

const cf = mockClient(CloudFrontClient);
afterEach(() => cf.reset());

const notFound = () => Object.assign(new Error('The specified distribution does not exist.'), { name: 'NoSuchDistribution', $metadata: { httpStatusCode: 404 } });

describe('createCloudFrontCdn', () => {
  it('checks the distribution with GetDistribution', async () => {
    cf.on(GetDistributionCommand, { Id: 'EOK' }).resolves({ Distribution: undefined }).on(GetDistributionCommand, { Id: 'EGONE' }).rejects(notFound());
    const cdn = createCloudFrontCdn(new CloudFrontClient({ region: 'us-east-1' }));
    expect(await cdn.distributionExists('EOK')).toBe(true);
    expect(await cdn.distributionExists('EGONE')).toBe(false);
    expect(cf.commandCalls(GetDistributionCommand).map((c) => c.args[0].input)).toEqual([{ Id: 'EOK' }, { Id: 'EGONE' }]);
  });

  it('turns access errors into a CruddurError with a fix', async () => {
    cf.on(GetDistributionCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    const cdn = createCloudFrontCdn(new CloudFrontClient({ region: 'us-east-1' }));
    await expect(cdn.distributionExists('E1')).rejects.toThrow(/Could not read CloudFront distribution E1: access denied/);
  });

  it('sends one CreateInvalidation with the exact paths, then waits with GetInvalidation', async () => {
    cf.on(CreateInvalidationCommand).resolves({ Invalidation: { Id: 'I42', Status: 'InProgress', CreateTime: new Date(), InvalidationBatch: undefined } });
    cf.on(GetInvalidationCommand).resolves({ Invalidation: { Id: 'I42', Status: 'Completed', CreateTime: new Date(), InvalidationBatch: undefined } });
    const cdn = createCloudFrontCdn(new CloudFrontClient({ region: 'us-east-1' }));
    expect(await cdn.createInvalidation('E1', ['/', '/index.html', '/static/*'], 'cruddur-ref')).toBe('I42');
    await cdn.waitForInvalidation('E1', 'I42', 60);
    expect(cf.commandCalls(CreateInvalidationCommand).map((c) => c.args[0].input)).toEqual([
      { DistributionId: 'E1', InvalidationBatch: { CallerReference: 'cruddur-ref', Paths: { Quantity: 3, Items: ['/', '/index.html', '/static/*'] } } },
    ]);
    expect(cf.commandCalls(GetInvalidationCommand).map((c) => c.args[0].input)).toEqual([{ DistributionId: 'E1', Id: 'I42' }]);
  });
});
