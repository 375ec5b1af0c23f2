import { fromAwsError } from '../../src/aws/errors.js';
import type { Cdn, InvalidationSummary } from '../../src/frontend/cdn.js';
import { CruddurError } from '../../src/core/errors.js';
import type { FakeAws, RecordedRequest } from '../support/aws-fake.js';

/**
 * CloudFront's invalidation quotas (Developer Guide, "Quotas on invalidations"), enforced: at most 3,000
 * paths a request (BatchTooLarge), and in progress at once at most 3,000 file paths and 15 wildcard paths
 * (TooManyInvalidationsInProgress). An invalidation stays InProgress until it has been read
 * `readsToComplete` times (GetInvalidation), or a test calls complete(): driven by requests, never by time.
 */
export class InvalidationQuotas {
  readonly invalidations: Array<{ id: string; paths: string[]; readsLeft: number }> = [];
  /** Every CreateInvalidation attempt, accepted or not. */
  readonly attempts: Array<{ paths: string[]; outcome: 'created' | 'TooManyInvalidationsInProgress' | 'BatchTooLarge' }> = [];
  private next = 1;

  constructor(readonly readsToComplete = 0) {}

  inProgress(): { files: number; wildcards: number } {
    const paths = this.invalidations.filter((i) => i.readsLeft > 0).flatMap((i) => i.paths);
    return { files: paths.filter((p) => !p.endsWith('*')).length, wildcards: paths.filter((p) => p.endsWith('*')).length };
  }

  /** Returns the new id, or the error CloudFront would answer. */
  create(paths: string[]): { id: string } | { error: 'TooManyInvalidationsInProgress' | 'BatchTooLarge' } {
    if (paths.length > 3000) {
      this.attempts.push({ paths, outcome: 'BatchTooLarge' });
      return { error: 'BatchTooLarge' };
    }
    const now = this.inProgress();
    const files = paths.filter((p) => !p.endsWith('*')).length;
    if (now.files + files > 3000 || now.wildcards + (paths.length - files) > 15) {
      this.attempts.push({ paths, outcome: 'TooManyInvalidationsInProgress' });
      return { error: 'TooManyInvalidationsInProgress' };
    }
    const id = `I${this.next++}`;
    this.invalidations.push({ id, paths, readsLeft: this.readsToComplete });
    this.attempts.push({ paths, outcome: 'created' });
    return { id };
  }

  /** An invalidation someone else started (another deploy, the console). */
  startOther(paths: string[], reads = this.readsToComplete): string {
    const id = `X${this.next++}`;
    this.invalidations.push({ id, paths, readsLeft: reads });
    return id;
  }

  /** GetInvalidation: each read brings it one step closer to Completed. */
  get(id: string): InvalidationSummary | undefined {
    const inv = this.invalidations.find((i) => i.id === id);
    if (!inv) return undefined;
    const status = inv.readsLeft > 0 ? 'InProgress' : 'Completed';
    if (inv.readsLeft > 0) inv.readsLeft -= 1;
    return { id, status, paths: inv.paths };
  }

  list(): InvalidationSummary[] {
    return [...this.invalidations].reverse().map((i) => ({ id: i.id, status: i.readsLeft > 0 ? 'InProgress' : 'Completed' }));
  }

  complete(id: string): void {
    const inv = this.invalidations.find((i) => i.id === id);
    if (inv) inv.readsLeft = 0;
  }
}

/** An SDK-shaped CloudFront error (name = the API's error code), as the SDK throws it. */
const sdkError = (name: string, message: string, status: number) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

/** The sync's Cdn port over InvalidationQuotas, errors as the real adapter (src/aws/cloudfront.ts) raises them: fromAwsError over the SDK's error. */
export function quotaCdn(quotas: InvalidationQuotas, distributionId: string): Cdn & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    getDistribution: async (id) => (id === distributionId ? { id, status: 'Deployed', domainName: 'd111111abcdef8.cloudfront.net' } : undefined),
    createInvalidation: async (id, paths) => {
      calls.push(`create ${paths.length}`);
      const out = quotas.create(paths);
      if ('id' in out) return { id: out.id, status: 'InProgress' };
      const what = `invalidate ${paths.length} paths on CloudFront distribution ${id}`;
      if (out.error === 'TooManyInvalidationsInProgress') {
        throw fromAwsError(sdkError('TooManyInvalidationsInProgress', 'Processing your request would cause you to exceed the maximum number of in-progress invalidations.', 400), what);
      }
      throw fromAwsError(sdkError('BatchTooLarge', 'Invalidation batch specified is too large.', 413), what);
    },
    waitForInvalidation: async (_id, invalidationId) => {
      quotas.complete(invalidationId);
    },
    listInvalidations: async () => {
      calls.push('list');
      return quotas.list();
    },
    getInvalidation: async (_id, invalidationId) => {
      calls.push(`get ${invalidationId}`);
      const info = quotas.get(invalidationId);
      if (!info) throw new CruddurError(`NoSuchInvalidation ${invalidationId}`);
      return info;
    },
  };
}

export const DISTRIBUTION_ID = 'E2TESTDISTRIB01';
/** Exists, but every CreateInvalidation on it fails (no route: the fake answers 500). */
export const BROKEN_DISTRIBUTION_ID = 'E2BROKENDISTR01';
const XML = { 'content-type': 'text/xml' };

/**
 * CloudFront (REST-XML) routes on a FakeAws: one known distribution whose invalidations go through
 * `quotas` (by default they complete when first read, and the quotas are enforced), ListInvalidations and
 * GetInvalidation included.
 */
export function routeCloudFront(fake: FakeAws, quotas = new InvalidationQuotas(0)): InvalidationQuotas {
  const error = (status: number, code: string, message: string) => ({
    status,
    headers: XML,
    body: `<?xml version="1.0"?><ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>1</RequestId></ErrorResponse>`,
  });
  fake.on(
    (r) => r.method === 'GET' && /^\/2020-05-31\/distribution\/[^/]+$/.test(r.path),
    (r) =>
      r.path.endsWith(`/${DISTRIBUTION_ID}`) || r.path.endsWith(`/${BROKEN_DISTRIBUTION_ID}`)
        ? { headers: { ...XML, etag: 'E1' }, body: `<?xml version="1.0"?><Distribution><Id>${r.path.split('/').pop()}</Id><Status>Deployed</Status><DomainName>d111111abcdef8.cloudfront.net</DomainName></Distribution>` }
        : error(404, 'NoSuchDistribution', 'The specified distribution does not exist.'),
  );
  fake.on(
    (r) => r.method === 'POST' && r.path === `/2020-05-31/distribution/${DISTRIBUTION_ID}/invalidation`,
    (r) => {
      const paths = [...r.body.matchAll(/<Path>([^<]*)<\/Path>/g)].map((m) => unxml(m[1] ?? ''));
      if (paths.some((p) => cloudFrontRejects(p) !== undefined)) return error(400, 'InvalidArgument', 'Your request contains one or more invalid invalidation paths.');
      const out = quotas.create(paths);
      if ('error' in out) {
        return out.error === 'BatchTooLarge'
          ? error(413, 'BatchTooLarge', 'Invalidation batch specified is too large.')
          : error(400, 'TooManyInvalidationsInProgress', 'Processing your request would cause you to exceed the maximum number of in-progress wildcard invalidations.');
      }
      return {
        status: 201,
        headers: { ...XML, location: `https://cloudfront.amazonaws.com/2020-05-31/distribution/${DISTRIBUTION_ID}/invalidation/${out.id}` },
        body: `<?xml version="1.0"?><Invalidation><Id>${out.id}</Id><Status>InProgress</Status><CreateTime>2026-11-23T09:00:00Z</CreateTime>${batchXml(r)}</Invalidation>`,
      };
    },
  );
  fake.on(
    (r) => r.method === 'GET' && /\/invalidation\/[IX]\d+$/.test(r.path),
    (r) => {
      const info = quotas.get(r.path.split('/').pop() ?? '');
      if (!info) return error(404, 'NoSuchInvalidation', 'The specified invalidation does not exist.');
      const items = (info.paths ?? []).map((p) => `<Path>${p.replaceAll('&', '&amp;').replaceAll('<', '&lt;')}</Path>`).join('');
      return {
        headers: XML,
        body: `<?xml version="1.0"?><Invalidation><Id>${info.id}</Id><Status>${info.status}</Status><CreateTime>2026-11-23T09:00:00Z</CreateTime><InvalidationBatch><Paths><Quantity>${info.paths?.length ?? 0}</Quantity><Items>${items}</Items></Paths><CallerReference>x</CallerReference></InvalidationBatch></Invalidation>`,
      };
    },
  );
  fake.on(
    (r) => r.method === 'GET' && r.path === `/2020-05-31/distribution/${DISTRIBUTION_ID}/invalidation`,
    () => {
      const list = quotas.list();
      const items = list.map((i) => `<InvalidationSummary><Id>${i.id}</Id><CreateTime>2026-11-23T09:00:00Z</CreateTime><Status>${i.status}</Status></InvalidationSummary>`).join('');
      return {
        headers: XML,
        body: `<?xml version="1.0"?><InvalidationList><Marker></Marker><MaxItems>100</MaxItems><IsTruncated>false</IsTruncated><Quantity>${list.length}</Quantity><Items>${items}</Items></InvalidationList>`,
      };
    },
  );
  return quotas;
}

const UNSAFE = new Set([...' "<>#{}|\\^~[]`?']);

/**
 * Why CloudFront would refuse an invalidation path (InvalidArgument), or undefined when it is valid,
 * per its Developer Guide: starts with `/`; non-ASCII and RFC 1738 unsafe characters URL-encoded
 * (`%XX`); `*` only as the last character (a wildcard).
 */
export function cloudFrontRejects(path: string): string | undefined {
  if (!path.startsWith('/')) return 'does not start with /';
  for (let i = 0; i < path.length; i++) {
    const ch = path[i] as string;
    const code = ch.charCodeAt(0);
    if (code <= 0x20 || code >= 0x7f) return `unencoded character at ${i}`;
    if (UNSAFE.has(ch)) return `unsafe character ${ch} at ${i}`;
    if (ch === '%' && !/^%[0-9A-Fa-f]{2}/.test(path.slice(i))) return `bad escape at ${i}`;
    if (ch === '*' && i !== path.length - 1) return `* not last at ${i}`;
  }
  return undefined;
}

const unxml = (text: string) => text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&quot;', '"').replaceAll('&apos;', "'").replaceAll('&amp;', '&');

function batchXml(r: RecordedRequest): string {
  return /<InvalidationBatch[\s\S]*<\/InvalidationBatch>/.exec(r.body)?.[0] ?? '';
}

/** One CreateInvalidation request as the fake received it (POST /2020-05-31/distribution/<id>/invalidation). */
export interface CreateInvalidationCall {
  distributionId: string;
  /** InvalidationBatch.CallerReference; undefined when the request carried none. */
  callerReference: string | undefined;
  /** InvalidationBatch.Paths.Quantity as sent (CloudFront refuses a Quantity that differs from the Items). */
  quantity: number | undefined;
  /** InvalidationBatch.Paths.Items, XML-unescaped, in request order. */
  paths: string[];
}

/** Every CreateInvalidation request the fake received, accepted or not, in order. */
export function createInvalidationCalls(fake: FakeAws): CreateInvalidationCall[] {
  return fake.requests
    .filter((r) => r.method === 'POST' && /^\/2020-05-31\/distribution\/[^/]+\/invalidation$/.test(r.path))
    .map((r) => {
      const reference = /<CallerReference>([^<]*)<\/CallerReference>/.exec(r.body)?.[1];
      const quantity = /<Paths>\s*<Quantity>(\d+)<\/Quantity>/.exec(r.body)?.[1];
      return {
        distributionId: r.path.split('/')[3] ?? '',
        callerReference: reference === undefined ? undefined : unxml(reference),
        quantity: quantity === undefined ? undefined : Number(quantity),
        paths: [...r.body.matchAll(/<Path>([^<]*)<\/Path>/g)].map((m) => unxml(m[1] ?? '')),
      };
    });
}

/** The paths of each CreateInvalidation request the fake received. */
export function invalidationRequests(fake: FakeAws): string[][] {
  return createInvalidationCalls(fake).map((c) => c.paths);
}

export function distributionLookups(fake: FakeAws): string[] {
  return fake.requests.filter((r) => r.method === 'GET' && /\/distribution\/[^/]+$/.test(r.path)).map((r) => r.path.split('/').pop() ?? '');
}
