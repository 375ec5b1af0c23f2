import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { CruddurError } from '../core/errors.js';
import { fromAwsError } from './errors.js';
import { loadSdk } from './sdk.js';

/** A distribution as GetDistribution describes it (API 2020-05-31). */
export interface Distribution {
  id: string;
  /** `Deployed`, or `InProgress` while a change propagates. */
  status: string;
  /** e.g. `d111111abcdef8.cloudfront.net`. */
  domainName: string;
}

/** An invalidation as CreateInvalidation returns it. */
export interface Invalidation {
  /** e.g. `I2J0I21PCUYOIK`; always present (a response without one is an error). */
  id: string;
  /** `InProgress` or `Completed`. */
  status: string;
}

/** One invalidation as ListInvalidations / GetInvalidation describe it. */
export interface InvalidationSummary extends Invalidation {
  /** The invalidation's paths; only from getInvalidation. */
  paths?: string[];
}

/**
 * The one CloudFront adapter: every CloudFront call cruddur makes (frontend sync, avatar clear and upload,
 * doctor) goes through it. Responses are checked here: a field the API documents as always present that is
 * missing is an error, never an empty string. SDK errors become CruddurErrors with a fix (see errors.ts).
 */
export interface CloudFront {
  /** GetDistribution; undefined when the id does not exist (NoSuchDistribution), other failures throw. */
  getDistribution(id: string, options?: { signal?: AbortSignal }): Promise<Distribution | undefined>;
  /**
   * CreateInvalidation for `paths` (CloudFront paths, each starting with `/`, `*` only last). `callerReference`
   * makes a retry of the same batch idempotent (CloudFront returns the first invalidation again).
   */
  createInvalidation(distributionId: string, paths: string[], callerReference: string): Promise<Invalidation>;
  /** Polls GetInvalidation (the SDK waiter: 5-20 s apart) until Completed, for at most `maxWaitSeconds`. */
  waitForInvalidation(distributionId: string, invalidationId: string, maxWaitSeconds: number): Promise<void>;
  /**
   * ListInvalidations, first page of up to 100 (CloudFront lists newest first, so every in-progress one
   * is on it while fewer than 100 were created since). Entries without Id or Status are an error.
   */
  listInvalidations(distributionId: string): Promise<InvalidationSummary[]>;
  /** GetInvalidation: the invalidation with its paths. A missing Id or Status is an error. */
  getInvalidation(distributionId: string, invalidationId: string): Promise<InvalidationSummary>;
}

/**
 * True for CreateInvalidation's TooManyInvalidationsInProgress (CloudFront's in-progress quota is full): the
 * CruddurError fromAwsError makes keeps the SDK error, whose name says it, as its cause.
 */
export function isTooManyInvalidations(error: unknown): boolean {
  const name = (e: unknown) => (typeof e === 'object' && e !== null ? (e as { name?: string }).name : undefined);
  return name(error) === 'TooManyInvalidationsInProgress' || name((error as { cause?: unknown } | undefined)?.cause) === 'TooManyInvalidationsInProgress';
}

/**
 * RFC 1738's unsafe characters (space " < > # % { } | \\ ^ ~ [ ] `), plus `?` (it would start a query
 * string) and `*` (CloudFront's wildcard: a literal `*` in a file name must not become one).
 */
const MUST_ENCODE = new Set([...' "<>#%{}|\\^~[]`?*']);

/**
 * One key segment as CloudFront wants it in an invalidation path (CloudFront Developer Guide, "What you
 * need to know when invalidating paths": URL-encode non-ASCII characters and RFC 1738's unsafe ones, and
 * nothing else, or the path no longer matches the cached object). Non-ASCII and control characters
 * become their UTF-8 bytes as `%XX`; `! $ & ' ( ) + , ; = : @` stay as they are (a browser sends them raw).
 */
export function encodeSegment(segment: string): string {
  let out = '';
  for (const char of segment) {
    const code = char.codePointAt(0) ?? 0;
    if (code > 0x20 && code < 0x7f && !MUST_ENCODE.has(char)) out += char;
    else out += [...Buffer.from(char, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
  return out;
}

/** The invalidation path of one object key, `/` + its encoded segments (no wildcard can appear in it). */
export function keyPath(key: string): string {
  return `/${key.split('/').map(encodeSegment).join('/')}`;
}

function badResponse(what: string, missing: string): CruddurError {
  return new CruddurError(`Could not ${what}: CloudFront answered without ${missing}`, {
    suggestion: 'check AWS_ENDPOINT_URL_CLOUDFRONT (an emulator or proxy may be answering), then run again',
    code: 'AWS_BAD_RESPONSE',
  });
}

export function createCloudFront(client: CloudFrontClient): CloudFront {
  const sdk = loadSdk<typeof import('@aws-sdk/client-cloudfront')>('@aws-sdk/client-cloudfront');
  return {
    async getDistribution(id, options = {}) {
      const { GetDistributionCommand } = sdk;
      const what = `read CloudFront distribution ${id}`;
      let distribution;
      try {
        ({ Distribution: distribution } = await client.send(new GetDistributionCommand({ Id: id }), { abortSignal: options.signal }));
      } catch (error) {
        if ((error as { name?: string }).name === 'NoSuchDistribution') return undefined;
        throw fromAwsError(error, what);
      }
      if (!distribution?.Id) throw badResponse(what, 'Distribution.Id');
      if (!distribution.Status) throw badResponse(what, 'Distribution.Status');
      if (!distribution.DomainName) throw badResponse(what, 'Distribution.DomainName');
      return { id: distribution.Id, status: distribution.Status, domainName: distribution.DomainName };
    },
    async createInvalidation(distributionId, paths, callerReference) {
      const { CreateInvalidationCommand } = sdk;
      const what = `invalidate ${paths.length === 1 ? paths[0] : `${paths.length} paths`} on CloudFront distribution ${distributionId}`;
      let invalidation;
      try {
        ({ Invalidation: invalidation } = await client.send(
          new CreateInvalidationCommand({
            DistributionId: distributionId,
            InvalidationBatch: { CallerReference: callerReference, Paths: { Quantity: paths.length, Items: paths } },
          }),
        ));
      } catch (error) {
        throw fromAwsError(error, what);
      }
      if (!invalidation?.Id) throw badResponse(what, 'Invalidation.Id');
      if (!invalidation.Status) throw badResponse(what, 'Invalidation.Status');
      return { id: invalidation.Id, status: invalidation.Status };
    },
    async listInvalidations(distributionId) {
      const { ListInvalidationsCommand } = sdk;
      const what = `list the invalidations of CloudFront distribution ${distributionId}`;
      let list;
      try {
        ({ InvalidationList: list } = await client.send(new ListInvalidationsCommand({ DistributionId: distributionId, MaxItems: 100 })));
      } catch (error) {
        throw fromAwsError(error, what);
      }
      return (list?.Items ?? []).map((i) => {
        if (!i.Id) throw badResponse(what, 'InvalidationSummary.Id');
        if (!i.Status) throw badResponse(what, 'InvalidationSummary.Status');
        return { id: i.Id, status: i.Status };
      });
    },
    async getInvalidation(distributionId, invalidationId) {
      const { GetInvalidationCommand } = sdk;
      const what = `read invalidation ${invalidationId} of CloudFront distribution ${distributionId}`;
      let invalidation;
      try {
        ({ Invalidation: invalidation } = await client.send(new GetInvalidationCommand({ DistributionId: distributionId, Id: invalidationId })));
      } catch (error) {
        throw fromAwsError(error, what);
      }
      if (!invalidation?.Id) throw badResponse(what, 'Invalidation.Id');
      if (!invalidation.Status) throw badResponse(what, 'Invalidation.Status');
      return { id: invalidation.Id, status: invalidation.Status, paths: invalidation.InvalidationBatch?.Paths?.Items ?? [] };
    },
    async waitForInvalidation(distributionId, invalidationId, maxWaitSeconds) {
      const { waitUntilInvalidationCompleted } = sdk;
      try {
        await waitUntilInvalidationCompleted({ client, maxWaitTime: maxWaitSeconds, minDelay: 5, maxDelay: 20 }, { DistributionId: distributionId, Id: invalidationId });
      } catch (error) {
        throw fromAwsError(error, `wait for invalidation ${invalidationId} of ${distributionId}`);
      }
    },
  };
}
