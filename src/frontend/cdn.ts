import type { CloudFront } from '../aws/cloudfront.js';

export { isTooManyInvalidations, type InvalidationSummary } from '../aws/cloudfront.js';

/**
 * The CloudFront calls the sync makes, on the one CloudFront adapter (src/aws/cloudfront.ts); tests fake it.
 * ListInvalidations / GetInvalidation read what is in progress when CloudFront's quotas are full.
 */
export type Cdn = Pick<CloudFront, 'getDistribution' | 'createInvalidation' | 'waitForInvalidation' | 'listInvalidations' | 'getInvalidation'>;
