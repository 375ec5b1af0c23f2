import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { fromAwsError } from '../aws/errors.js';

/** The CloudFront calls the sync needs. */
export interface Cdn {
  distributionExists(id: string): Promise<boolean>;
  /** Returns the invalidation id. */
  createInvalidation(id: string, paths: string[], callerReference: string): Promise<string>;
  waitForInvalidation(id: string, invalidationId: string, maxWaitSeconds: number): Promise<void>;
}

export function createCloudFrontCdn(client: CloudFrontClient): Cdn {
  const sdk = import('@aws-sdk/client-cloudfront');
  return {
    async distributionExists(id) {
      const { GetDistributionCommand } = await sdk;
      try {
        await client.send(new GetDistributionCommand({ Id: id }));
        return true;
      } catch (error) {
        if ((error as { name?: string }).name === 'NoSuchDistribution') return false;
        throw fromAwsError(error, `read CloudFront distribution ${id}`);
      }
    },
    async createInvalidation(id, paths, callerReference) {
      const { CreateInvalidationCommand } = await sdk;
      try {
        const out = await client.send(
          new CreateInvalidationCommand({
            DistributionId: id,
            InvalidationBatch: { CallerReference: callerReference, Paths: { Quantity: paths.length, Items: paths } },
          }),
        );
        return out.Invalidation?.Id ?? '';
      } catch (error) {
        throw fromAwsError(error, `invalidate CloudFront distribution ${id}`);
      }
    },
    async waitForInvalidation(id, invalidationId, maxWaitSeconds) {
      const { waitUntilInvalidationCompleted } = await sdk;
      try {
        await waitUntilInvalidationCompleted({ client, maxWaitTime: maxWaitSeconds, minDelay: 5, maxDelay: 20 }, { DistributionId: id, Id: invalidationId });
      } catch (error) {
        throw fromAwsError(error, `wait for invalidation ${invalidationId} of ${id}`);
      }
    },
  };
}
