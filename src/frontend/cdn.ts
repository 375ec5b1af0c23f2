import type { CloudFront } from '../aws/cloudfront.js';

/** The CloudFront calls the sync makes, on the one CloudFront adapter (src/aws/cloudfront.ts); tests fake it. */
export type Cdn = Pick<CloudFront, 'getDistribution' | 'createInvalidation' | 'waitForInvalidation'>;
