import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { fromAwsError } from '../aws/errors.js';

import { CruddurError } from '../core/errors.js';

/** One invalidation as CloudFront reports it. */
export interface InvalidationInfo {
  id: string;
  /** `InProgress` or `Completed`. */
  status: string;
  /** Only from getInvalidation. */
  paths?: string[];
}

/** The code createInvalidation's error carries when CloudFront answers TooManyInvalidationsInProgress. */
export const TOO_MANY_INVALIDATIONS = 'CLOUDFRONT_TOO_MANY_INVALIDATIONS';

/** The CloudFront calls the sync needs. */
export interface Cdn {
  distributionExists(id: string): Promise<boolean>;
  /** Returns the invalidation id. Throws a CruddurError with code TOO_MANY_INVALIDATIONS when CloudFront's in-progress quota is full. */
  createInvalidation(id: string, paths: string[], callerReference: string): Promise<string>;
  waitForInvalidation(id: string, invalidationId: string, maxWaitSeconds: number): Promise<void>;
  /** The distribution's most recent invalidations (ListInvalidations, first page: newest first, so every in-progress one). */
  listInvalidations(id: string): Promise<InvalidationInfo[]>;
  /** One invalidation with its paths (GetInvalidation). */
  getInvalidation(id: string, invalidationId: string): Promise<InvalidationInfo>;
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
        if ((error as { name?: string }).name === 'TooManyInvalidationsInProgress') {
          throw new CruddurError(`CloudFront has too many invalidations in progress on ${id} (TooManyInvalidationsInProgress)`, {
            suggestion: 'wait for them to complete (aws cloudfront list-invalidations) and run the sync again',
            code: TOO_MANY_INVALIDATIONS,
            cause: error,
          });
        }
        throw fromAwsError(error, `invalidate CloudFront distribution ${id}`);
      }
    },
    async listInvalidations(id) {
      const { ListInvalidationsCommand } = await sdk;
      try {
        const out = await client.send(new ListInvalidationsCommand({ DistributionId: id, MaxItems: 100 }));
        return (out.InvalidationList?.Items ?? []).map((i) => ({ id: i.Id ?? '', status: i.Status ?? '' }));
      } catch (error) {
        throw fromAwsError(error, `list the invalidations of CloudFront distribution ${id}`);
      }
    },
    async getInvalidation(id, invalidationId) {
      const { GetInvalidationCommand } = await sdk;
      try {
        const out = await client.send(new GetInvalidationCommand({ DistributionId: id, Id: invalidationId }));
        return { id: out.Invalidation?.Id ?? invalidationId, status: out.Invalidation?.Status ?? '', paths: out.Invalidation?.InvalidationBatch?.Paths?.Items ?? [] };
      } catch (error) {
        throw fromAwsError(error, `read invalidation ${invalidationId} of ${id}`);
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
