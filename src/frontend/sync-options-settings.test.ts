import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CopyObjectCommand, CreateMultipartUploadCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CloudFrontClient, GetInvalidationCommand, ListInvalidationsCommand } from '@aws-sdk/client-cloudfront';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, type TempDir } from '../../test/support/tmp.js';
import { loadProjectConfig } from '../core/config.js';
import { createCloudFront } from '../aws/cloudfront.js';
import { createS3Store } from '../aws/s3-store.js';
import { filterMatcher, filtersFromArgv, fnmatchRegex } from './filters.js';
import { resolveSyncSettings } from './settings.js';
import { prefixedStore, syncStoreOf } from './store.js';

let dir: TempDir;
beforeAll(async () => {
  dir = await tempDir('cruddur-sync-options-settings-');
});
afterAll(async () => {
  await dir.cleanup();
});

async function projectWith(frontend: unknown) {
  const root = join(dir.path, String(Math.random()).slice(2));
  await mkdir(root, { recursive: true });
  await writeFile(join(root, 'cruddur.json'), JSON.stringify({ frontend }));
  return loadProjectConfig({ cwd: root, env: {} });
}

describe('the aws s3 sync options, from flags and from cruddur.json "frontend"', () => {
  it('reads every option from cruddur.json, flags first', async () => {
    const project = await projectWith({
      path: 'web',
      prefix: '/app/',
      exclude: ['*.map'],
      include: ['keep.map'],
      acl: 'private',
      sse: 'AES256',
      storageClass: 'STANDARD_IA',
      contentType: { '*.txt': 'text/plain; charset=us-ascii' },
      cacheControl: { '*.json': 'public, max-age=60' },
      routes: [{ match: '*.js', headers: { 'Cache-Control': 'no-store', 'X-Amz-Meta-Team': 'web' }, gzip: true }],
    });
    expect(project.paths.frontend).toBe('web');
    const s = resolveSyncSettings(project, { bucket: 'bbb', storageClass: 'GLACIER_IR', filters: [{ type: 'exclude', pattern: 'keep.map' }] });
    expect(s.prefix).toBe('app/');
    expect(s.filters).toEqual([{ type: 'exclude', pattern: '*.map' }, { type: 'include', pattern: 'keep.map' }, { type: 'exclude', pattern: 'keep.map' }]);
    expect(s.headers).toEqual({
      cacheRules: [{ glob: '*.json', value: 'public, max-age=60' }],
      contentTypeRules: [{ glob: '*.txt', value: 'text/plain; charset=us-ascii' }],
      routes: [{ match: '*.js', headers: { 'cache-control': 'no-store', 'x-amz-meta-team': 'web' }, gzip: true }],
      object: { acl: 'private', sse: 'AES256', storageClass: 'GLACIER_IR' },
    });
    expect(s.invalidationTimeoutMs).toBe(600_000);
  });

  it.each([
    [{ acl: 'public' }, /--acl public is not one of private, public-read/],
    [{ sse: 'KMS' }, /--sse KMS is not one of AES256, aws:kms/],
    [{ sseKmsKeyId: 'k' }, /--sse-kms-key-id needs --sse aws:kms/],
    [{ sse: 'aws:kms', sseKmsKeyId: 'bad key' }, /is not a KMS key id/],
    [{ storageClass: 'COLD' }, /--storage-class COLD is not one of STANDARD/],
    [{ contentType: ['*.txt'] }, /Invalid --content-type rule "\*\.txt"/],
    [{ contentType: ['*.txt=plain'] }, /Invalid --content-type rule/],
    [{ prefix: 'a/../b' }, /--prefix "a\/..\/b" is not a key prefix/],
    [{ prefix: 'a//b' }, /is not a key prefix/],
    [{ invalidationTimeout: -1 }, /--invalidation-timeout must be a whole number >= 0/],
  ])('flag %j is a usage error (exit 2)', async (flags, message) => {
    const project = await projectWith({});
    let error: unknown;
    try {
      resolveSyncSettings(project, { bucket: 'bbb', ...flags });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ exitCode: 2, message: expect.stringMatching(message), suggestion: expect.any(String) });
  });

  it.each([
    [{ routes: {} }, /frontend.routes must be a list/],
    [{ routes: [{ match: '*.js', headers: { 'X-Frame-Options': 'DENY' } }] }, /"X-Frame-Options" is not a header a route may set/],
    [{ routes: [{ match: '*.js', headers: { 'x-amz-meta-cruddur-md5': 'x' } }] }, /reserved/],
    [{ routes: [{ match: '*.js', headers: { 'Cache-Control': 'caf\u00e9' } }] }, /printable ASCII/],
    [{ routes: [{ match: '^(', headers: {} }] }, /is not a valid regular expression/],
    [{ routes: [{ match: '*.js', gzip: true, brotli: true }] }, /both gzip and brotli/],
    [{ routes: [{ match: '*.js', headers: { 'Content-Type': 'javascript' } }] }, /is not a media type/],
    [{ routes: [{ match: '*.js', header: {} }] }, /"header" is not a route field/],
    [{ cdn: true }, /frontend.cdn is not a known setting/],
    [{ filters: [{ exclude: '*', include: 'x' }] }, /must be \{"exclude": PATTERN\}/],
    [{ acl: 'nope' }, /--acl nope is not one of/],
  ])('cruddur.json frontend %j is a usage error (exit 2)', async (frontend, message) => {
    const project = await projectWith(frontend);
    expect(() => resolveSyncSettings(project, { bucket: 'bbb' })).toThrow(message);
    try {
      resolveSyncSettings(project, { bucket: 'bbb' });
    } catch (e) {
      expect((e as { exitCode: number }).exitCode).toBe(2);
    }
  });
});

describe('aws s3 sync filters', () => {
  it('keeps the typed order of --exclude / --include', () => {
    expect(filtersFromArgv(['--bucket', 'b', '--exclude', '*', '--include=*.html', '--exclude', 'a.html'])).toEqual([
      { type: 'exclude', pattern: '*' },
      { type: 'include', pattern: '*.html' },
      { type: 'exclude', pattern: 'a.html' },
    ]);
    expect(() => filtersFromArgv(['--exclude='])).toThrow(/--exclude needs a pattern/);
  });

  it.each([
    [[['exclude', '*'], ['include', '*.html']], { 'index.html': false, 'docs/a.html': false, 'app.js': true }],
    [[['include', '*.html'], ['exclude', '*']], { 'index.html': true, 'app.js': true }],
    [[['exclude', 'static/*']], { 'static/js/a.js': true, 'static.txt': false, 'x/static/a': false }],
    [[['exclude', '*.map'], ['include', 'static/js/main.*.map']], { 'static/js/main.1.js.map': false, 'static/js/other.map': true }],
  ])('%j', (filters, expected) => {
    const out = filterMatcher(filters.map(([type, pattern]) => ({ type: type as 'exclude' | 'include', pattern: pattern as string })));
    for (const [path, excluded] of Object.entries(expected)) expect(out(path), path).toBe(excluded);
  });

  // Differential: Python's fnmatch is what aws s3 sync's filters call (awscli/customizations/s3/filters.py).
  const python = spawnSync('python3', ['-c', 'print(1)']).status === 0;
  it.skipIf(!python)('matches Python fnmatch on a corpus', () => {
    const patterns = ['*', '*.js', 'static/*', '?.txt', '[ab]*', '[!a]*', 'a[b', '*.[ch]', 'x]y', '[]]', '[!]]x', 'a.b', '(x)|y', '*/index.html', 'a\\b'];
    const paths = ['a.js', 'static/js/a.js', 'b.txt', 'ab.txt', 'a[b', 'c.c', 'x]y', ']', 'bx', 'a.b', 'axb', '(x)|y', 'docs/index.html', 'index.html', 'a\\b', 'A.JS'];
    const script = `import fnmatch, json, sys\npats, paths = json.loads(sys.stdin.read())\nprint(json.dumps([[fnmatch.fnmatchcase(p, pat) for p in paths] for pat in pats]))`;
    const out = spawnSync('python3', ['-c', script], { input: JSON.stringify([patterns, paths]), encoding: 'utf8' });
    const expected = JSON.parse(out.stdout) as boolean[][];
    const actual = patterns.map((pat) => paths.map((p) => fnmatchRegex(pat).test(p)));
    expect(actual).toEqual(expected);
  });
});

// Differential against the real tool: the AWS CLI 1.45's own Filter (awscli/customizations/s3/filters.py), fed the
// same filter lists in order and the same build paths, as `aws s3 sync build s3://bucket` would.
const AWS_PYTHON = '/root/.pyenv/shims/python';
const awscli = spawnSync(AWS_PYTHON, ['-c', 'import awscli.customizations.s3.filters'], { encoding: 'utf8' }).status === 0;
describe.skipIf(!awscli)('aws s3 sync filters: differential against the AWS CLI Filter class', () => {
  it('decides every path of a corpus as aws does, for every filter list', () => {
    const lists: Array<Array<[string, string]>> = [
      [['exclude', '*']],
      [['exclude', '*'], ['include', '*.html']],
      [['include', '*.html'], ['exclude', '*']],
      [['exclude', '*.map'], ['include', 'static/js/main.*']],
      [['exclude', 'static/*'], ['include', 'static/css/*'], ['exclude', '*.css']],
      [['exclude', '.well-known/*'], ['include', '.well-known/apple-app-site-association']],
      [['exclude', '[!i]*'], ['exclude', '?ndex.htm?']],
      [['exclude', '*/index.html']],
      [['exclude', 'uploads'], ['exclude', 'uploads/']],
    ];
    const paths = ['index.html', 'about/index.html', 'static/js/main.1a2b3c4d.js', 'static/js/main.1a2b3c4d.js.map', 'static/css/main.5e6f.css', 'static/media/logo.svg', '.well-known/apple-app-site-association', '.well-known/assetlinks.json', 'uploads/a.png', 'robots.txt', 'index.htm', 'indexhtml'];
    const script = [
      'import json, sys',
      'from awscli.customizations.s3.filters import Filter',
      'class Info:',
      '    def __init__(self, src): self.src = src; self.src_type = "local"',
      'lists, paths = json.loads(sys.stdin.read())',
      'out = []',
      'for filters in lists:',
      '    f = Filter([tuple(x) for x in filters], "/build/", "bucket/")',
      '    kept = set(i.src for i in f.call([Info("/build/" + p) for p in paths]))',
      '    out.append([("/build/" + p) not in kept for p in paths])',
      'print(json.dumps(out))',
    ].join('\n');
    const run = spawnSync(AWS_PYTHON, ['-c', script], { input: JSON.stringify([lists, paths]), encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const expected = JSON.parse(run.stdout) as boolean[][];
    const actual = lists.map((l) => {
      const excluded = filterMatcher(l.map(([type, pattern]) => ({ type: type as 'exclude' | 'include', pattern })));
      return paths.map(excluded);
    });
    expect(actual).toEqual(expected);
  });
});

describe('the S3 requests (SDK inputs) for headers and options', () => {
  const s3 = mockClient(S3Client);
  afterEach(() => s3.reset());
  // Test files share a worker: a stubbed S3Client.prototype.send would answer every later file's S3 calls.
  afterAll(() => s3.restore());

  it('PutObject, CreateMultipartUpload and CopyObject carry every header and option; HeadObject asks for part 1', async () => {
    s3.on(PutObjectCommand).resolves({ ETag: '"e1"' });
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u1' });
    s3.on(CopyObjectCommand).resolves({ CopyObjectResult: { ETag: '"e2"' } });
    s3.on(HeadObjectCommand).resolves({ ETag: '"abc-2"', ContentLength: 64 * 1024 * 1024, PartsCount: 2 });
    const store = prefixedStore(syncStoreOf(createS3Store(new S3Client({ region: 'us-east-1' }))), 'app/');
    const settings = {
      contentType: 'application/json; charset=utf-8',
      cacheControl: 'no-cache',
      contentDisposition: 'attachment',
      contentLanguage: 'en',
      contentEncoding: 'gzip',
      metadata: { owner: 'web', 'cruddur-md5': 'm' },
      acl: 'public-read',
      serverSideEncryption: 'aws:kms',
      sseKmsKeyId: 'alias/site',
      storageClass: 'STANDARD_IA',
    };
    const sdk = {
      ContentType: 'application/json; charset=utf-8',
      CacheControl: 'no-cache',
      ContentDisposition: 'attachment',
      ContentLanguage: 'en',
      ContentEncoding: 'gzip',
      Metadata: { owner: 'web', 'cruddur-md5': 'm' },
      ACL: 'public-read',
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: 'alias/site',
      StorageClass: 'STANDARD_IA',
    };
    await store.putObject({ bucket: 'b', key: 'a b.json', body: Buffer.from('x'), contentMD5: 'md5', ...settings });
    await store.createMultipartUpload({ bucket: 'b', key: 'big.bin', ...settings });
    expect(await store.copyObject({ bucket: 'b', key: 'a b.json', ...settings })).toBe('e2');
    expect(await store.headFirstPart('b', 'big.bin')).toEqual({ etag: 'abc-2', partSize: 64 * 1024 * 1024, partsCount: 2 });
    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input).toEqual({ Bucket: 'b', Key: 'app/a b.json', Body: Buffer.from('x'), ContentLength: 1, ContentMD5: 'md5', ...sdk });
    expect(s3.commandCalls(CreateMultipartUploadCommand)[0]?.args[0].input).toEqual({ Bucket: 'b', Key: 'app/big.bin', ...sdk });
    expect(s3.commandCalls(CopyObjectCommand)[0]?.args[0].input).toEqual({ Bucket: 'b', Key: 'app/a b.json', CopySource: 'b/app/a%20b.json', MetadataDirective: 'REPLACE', ...sdk });
    expect(s3.commandCalls(HeadObjectCommand)[0]?.args[0].input).toEqual({ Bucket: 'b', Key: 'app/big.bin', PartNumber: 1 });
  });

  it('no option: no ACL, SSE or storage class field is sent', async () => {
    s3.on(PutObjectCommand).resolves({ ETag: '"e1"' });
    await syncStoreOf(createS3Store(new S3Client({ region: 'us-east-1' }))).putObject({ bucket: 'b', key: 'k', body: Buffer.from('x'), contentType: 'text/plain', cacheControl: 'no-cache', metadata: { 'cruddur-md5': 'm' } });
    expect(Object.entries(s3.commandCalls(PutObjectCommand)[0]?.args[0].input ?? {}).filter(([, v]) => v !== undefined).map(([k]) => k).sort()).toEqual(['Body', 'Bucket', 'CacheControl', 'ContentLength', 'ContentType', 'Key', 'Metadata']);
  });
});

describe('the CloudFront calls for the quotas', () => {
  const cf = mockClient(CloudFrontClient);
  afterEach(() => cf.reset());
  afterAll(() => cf.restore());

  it('ListInvalidations and GetInvalidation (paths included)', async () => {
    cf.on(ListInvalidationsCommand).resolves({ InvalidationList: { Items: [{ Id: 'I2', Status: 'InProgress', CreateTime: new Date() }, { Id: 'I1', Status: 'Completed', CreateTime: new Date() }], Marker: '', MaxItems: 100, IsTruncated: false, Quantity: 2 } });
    cf.on(GetInvalidationCommand).resolves({ Invalidation: { Id: 'I2', Status: 'InProgress', CreateTime: new Date(), InvalidationBatch: { CallerReference: 'r', Paths: { Quantity: 2, Items: ['/a', '/b/*'] } } } });
    const cdn = createCloudFront(new CloudFrontClient({ region: 'us-east-1' }));
    expect(await cdn.listInvalidations('E1')).toEqual([{ id: 'I2', status: 'InProgress' }, { id: 'I1', status: 'Completed' }]);
    expect(await cdn.getInvalidation('E1', 'I2')).toEqual({ id: 'I2', status: 'InProgress', paths: ['/a', '/b/*'] });
    expect(cf.commandCalls(ListInvalidationsCommand)[0]?.args[0].input).toEqual({ DistributionId: 'E1', MaxItems: 100 });
  });

  it('an answer without an invalidation Id is an AWS_BAD_RESPONSE error', async () => {
    cf.on(ListInvalidationsCommand).resolves({ InvalidationList: { Items: [{ Status: 'InProgress', CreateTime: new Date() } as never], Marker: '', MaxItems: 100, IsTruncated: false, Quantity: 1 } });
    cf.on(GetInvalidationCommand).resolves({ Invalidation: { Status: 'InProgress' } as never });
    const cdn = createCloudFront(new CloudFrontClient({ region: 'us-east-1' }));
    await expect(cdn.listInvalidations('E1')).rejects.toMatchObject({ code: 'AWS_BAD_RESPONSE' });
    await expect(cdn.getInvalidation('E1', 'I2')).rejects.toMatchObject({ code: 'AWS_BAD_RESPONSE' });
  });
});
