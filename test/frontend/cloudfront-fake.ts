import type { FakeAws, RecordedRequest } from '../support/aws-fake.js';

export const DISTRIBUTION_ID = 'E2TESTDISTRIB01';
/** Exists, but every CreateInvalidation on it fails (no route: the fake answers 500). */
export const BROKEN_DISTRIBUTION_ID = 'E2BROKENDISTR01';
const XML = { 'content-type': 'text/xml' };

/** CloudFront (REST-XML) routes on a FakeAws: one known distribution, invalidations that complete at once. */
export function routeCloudFront(fake: FakeAws): void {
  let next = 1;
  fake.on(
    (r) => r.method === 'GET' && /^\/2020-05-31\/distribution\/[^/]+$/.test(r.path),
    (r) =>
      r.path.endsWith(`/${DISTRIBUTION_ID}`) || r.path.endsWith(`/${BROKEN_DISTRIBUTION_ID}`)
        ? { headers: { ...XML, etag: 'E1' }, body: `<?xml version="1.0"?><Distribution><Id>${r.path.split('/').pop()}</Id><Status>Deployed</Status><DomainName>d111111abcdef8.cloudfront.net</DomainName></Distribution>` }
        : {
            status: 404,
            headers: XML,
            body: '<?xml version="1.0"?><ErrorResponse><Error><Type>Sender</Type><Code>NoSuchDistribution</Code><Message>The specified distribution does not exist.</Message></Error><RequestId>1</RequestId></ErrorResponse>',
          },
  );
  fake.on(
    (r) => r.method === 'POST' && r.path === `/2020-05-31/distribution/${DISTRIBUTION_ID}/invalidation`,
    (r) => {
      const id = `I${next++}`;
      return {
        status: 201,
        headers: { ...XML, location: `https://cloudfront.amazonaws.com/2020-05-31/distribution/${DISTRIBUTION_ID}/invalidation/${id}` },
        body: `<?xml version="1.0"?><Invalidation><Id>${id}</Id><Status>InProgress</Status><CreateTime>2026-11-23T09:00:00Z</CreateTime>${batchXml(r)}</Invalidation>`,
      };
    },
  );
  fake.on(
    (r) => r.method === 'GET' && /\/invalidation\/I\d+$/.test(r.path),
    (r) => ({
      headers: XML,
      body: `<?xml version="1.0"?><Invalidation><Id>${r.path.split('/').pop()}</Id><Status>Completed</Status><CreateTime>2026-11-23T09:00:00Z</CreateTime></Invalidation>`,
    }),
  );
}

function batchXml(r: RecordedRequest): string {
  return /<InvalidationBatch[\s\S]*<\/InvalidationBatch>/.exec(r.body)?.[0] ?? '';
}

/** The paths of each CreateInvalidation request the fake received. */
export function invalidationRequests(fake: FakeAws): string[][] {
  return fake.requests
    .filter((r) => r.method === 'POST' && r.path.endsWith('/invalidation'))
    .map((r) => [...r.body.matchAll(/<Path>([^<]*)<\/Path>/g)].map((m) => m[1] ?? ''));
}

export function distributionLookups(fake: FakeAws): string[] {
  return fake.requests.filter((r) => r.method === 'GET' && /\/distribution\/[^/]+$/.test(r.path)).map((r) => r.path.split('/').pop() ?? '');
}
