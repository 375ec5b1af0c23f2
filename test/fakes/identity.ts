import type { FakeAws } from '../support/aws-fake.js';

const xml = { 'content-type': 'text/xml' };

/** STS GetCallerIdentity (query protocol, XML answer). */
export function fakeSts(fake: FakeAws, account: string, arn: string): void {
  fake.onOperation('GetCallerIdentity', () => ({
    headers: xml,
    body: `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>${arn}</Arn><UserId>AIDAEXAMPLEUSER</UserId><Account>${account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r-sts</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
  }));
}

/** CloudFront GetDistribution (REST-XML) for one id; other ids answer NoSuchDistribution. */
export function fakeCloudFront(fake: FakeAws, id: string, domain: string): void {
  fake.on(
    (r) => r.method === 'GET' && r.path.startsWith('/2020-05-31/distribution/'),
    (r) =>
      r.path === `/2020-05-31/distribution/${id}`
        ? {
            headers: { ...xml, etag: 'E2QWRUHEXAMPLE' },
            body: `<?xml version="1.0"?><Distribution xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Id>${id}</Id><ARN>arn:aws:cloudfront::123456789012:distribution/${id}</ARN><Status>Deployed</Status><LastModifiedTime>2026-11-01T00:00:00Z</LastModifiedTime><InProgressInvalidationBatches>0</InProgressInvalidationBatches><DomainName>${domain}</DomainName></Distribution>`,
          }
        : {
            status: 404,
            headers: xml,
            body: '<?xml version="1.0"?><ErrorResponse xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Error><Type>Sender</Type><Code>NoSuchDistribution</Code><Message>The specified distribution does not exist.</Message></Error><RequestId>r-cf</RequestId></ErrorResponse>',
          },
  );
}
