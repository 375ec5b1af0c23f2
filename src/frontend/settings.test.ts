import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProjectConfig } from '../core/config.js';
import { tempDir, type TempDir } from '../../test/support/tmp.js';
import { bucketNameProblem, checkIgnoreGlobs, resolveSyncSettings } from './settings.js';

let dir: TempDir;
beforeAll(async () => {
  dir = await tempDir('cruddur-settings-');
  await writeFile(join(dir.path, 'cruddur.json'), '{}');
  await writeFile(
    join(dir.path, 'sync.env'),
    'SYNC_S3_BUCKET=from-file\nSYNC_CLOUDFRONT_DISTRUBTION_ID=EFILE\nSYNC_BUILD_DIR=/abs/build\nSYNC_OUTPUT_CHANGESET_PATH=tmp/cs.json\nSYNC_AUTO_APPROVE=true\n',
  );
});
afterAll(async () => {
  await dir.cleanup();
});

const project = (env: Record<string, string>) => loadProjectConfig({ cwd: dir.path, env });

describe('resolveSyncSettings', () => {
  it('reads the gem variables from sync.env (misspelt distribution id included)', () => {
    const s = resolveSyncSettings(project({}), {});
    expect([s.bucket, s.distributionId, s.buildDir, s.changesetPath, s.autoApprove]).toEqual(['from-file', 'EFILE', '/abs/build', join(dir.path, 'tmp/cs.json'), true]);
    expect(s.sources.distributionId).toBe('SYNC_CLOUDFRONT_DISTRUBTION_ID (sync.env)');
  });

  it('the process environment beats sync.env, and flags beat both', () => {
    const env = { SYNC_S3_BUCKET: 'from-env', SYNC_CLOUDFRONT_DISTRIBUTION_ID: 'EENV', SYNC_AUTO_APPROVE: 'false' };
    const s = resolveSyncSettings(project(env), {});
    expect([s.bucket, s.distributionId, s.autoApprove]).toEqual(['from-env', 'EENV', false]);
    const f = resolveSyncSettings(project(env), { bucket: 's3://from-flag/', distributionId: 'EFLAG', autoApprove: true });
    expect([f.bucket, f.distributionId, f.autoApprove]).toEqual(['from-flag', 'EFLAG', true]);
  });

  it("reads the bootcamp Rakefile's bare names as fallbacks after the SYNC_ ones", async () => {
    const gem = await tempDir('cruddur-settings-gem-');
    try {
      await writeFile(join(gem.path, 'cruddur.json'), JSON.stringify({ env: { IGNORE_FILES: 'favicon.ico, robots.txt\nstylesheets/index' } }));
      const env = { S3_BUCKET: 'gem-bucket', CLOUDFRONT_DISTRUBTION_ID: 'EGEM', BUILD_DIR: '/gem/build', OUTPUT_CHANGESET_PATH: 'tmp/gem.json', AUTO_APPROVE: 'true' };
      const s = resolveSyncSettings(loadProjectConfig({ cwd: gem.path, env }), { ignore: ['.DS_Store'] });
      expect([s.bucket, s.distributionId, s.buildDir, s.changesetPath, s.autoApprove]).toEqual(['gem-bucket', 'EGEM', '/gem/build', join(gem.path, 'tmp/gem.json'), true]);
      expect(s.ignore).toEqual(['favicon.ico', 'robots.txt', 'stylesheets/index', '.DS_Store']);
      expect(s.sources.distributionId).toBe('CLOUDFRONT_DISTRUBTION_ID (env)');
      // A SYNC_ name wins over the bare one, even from a lower layer (sync.env against the environment).
      await writeFile(join(gem.path, 'sync.env'), 'SYNC_S3_BUCKET=sync-bucket\nSYNC_IGNORE_FILES=error.html\n');
      const t = resolveSyncSettings(loadProjectConfig({ cwd: gem.path, env }), {});
      expect([t.bucket, t.ignore]).toEqual(['sync-bucket', ['error.html']]);
    } finally {
      await gem.cleanup();
    }
  });

  it('has the documented defaults', () => {
    const s = resolveSyncSettings(project({}), {});
    expect([s.concurrency, s.maxDelete, s.maxInvalidationPaths, s.delete, s.dryRun]).toEqual([32, 256, 15, true, false]);
  });

  it.each<[Record<string, string>, RegExp]>([
    [{ SYNC_AUTO_APPROVE: 'maybe' }, /SYNC_AUTO_APPROVE=maybe is not a boolean/],
  ])('rejects bad values %j', (env, message) => {
    expect(() => resolveSyncSettings(project(env), {})).toThrow(message);
  });

  it('asks for a bucket when none is set', async () => {
    const empty = await tempDir('cruddur-settings-empty-');
    try {
      await writeFile(join(empty.path, 'cruddur.json'), '{}');
      expect(() => resolveSyncSettings(loadProjectConfig({ cwd: empty.path, env: {} }), {})).toThrow(/No bucket to sync to/);
    } finally {
      await empty.cleanup();
    }
  });
});

describe('checkIgnoreGlobs', () => {
  it.each([
    [['.DS_Store', 'uploads/**'], undefined],
    [[], undefined],
    [[''], /--ignore needs a glob/],
    [['ok', '  '], /--ignore needs a glob/],
  ])('%j', (globs, error) => {
    if (error) expect(() => checkIgnoreGlobs(globs)).toThrow(error);
    else expect(checkIgnoreGlobs(globs)).toEqual(globs);
  });
});

describe('explicit values are checked, never replaced by guesses', () => {
  it.each<[string, Parameters<typeof resolveSyncSettings>[1], RegExp]>([
    ['--bucket \'\'', { bucket: '' }, /^--bucket was given an empty value$/],
    ['--bucket of spaces', { bucket: '  ' }, /^--bucket was given an empty value$/],
    ['--distribution-id \'\'', { distributionId: '' }, /^--distribution-id was given an empty value$/],
    ['--build-dir \'\'', { buildDir: '' }, /^--build-dir was given an empty value$/],
    ['--changeset \'\'', { changeset: '' }, /^--changeset was given an empty value$/],
    ['--acl \'\'', { acl: '' }, /^--acl was given an empty value$/],
    ['--storage-class \'\'', { storageClass: '' }, /^--storage-class was given an empty value$/],
    ['--content-type \'\'', { contentType: [''] }, /^--content-type was given an empty value$/],
    ['--exclude \'\'', { filters: [{ type: 'exclude', pattern: '' }] }, /^--exclude was given an empty value$/],
    ['an invalid bucket name', { bucket: 'Bad_Bucket!' }, /^"Bad_Bucket!" \(from --bucket\) is not a valid S3 bucket name: "B" is not allowed/],
    ['a distribution id with a space', { distributionId: 'bad id' }, /^"bad id" \(from --distribution-id\) is not a CloudFront distribution id/],
    ['a lowercase distribution id', { distributionId: 'e2abc' }, /is not a CloudFront distribution id/],
  ])('%s is a usage error (exit 2), even with SYNC_S3_BUCKET set', (_name, flags, message) => {
    const run = () => resolveSyncSettings(project({ SYNC_S3_BUCKET: 'from-env' }), flags);
    expect(run).toThrow(message);
    try {
      run();
    } catch (error) {
      expect(error).toMatchObject({ exitCode: 2, suggestion: expect.any(String) });
    }
  });

  it('an invalid bucket or distribution id from the environment names the variable and where it was set', () => {
    expect(() => resolveSyncSettings(project({ SYNC_S3_BUCKET: 'my_site' }), {})).toThrow(/^"my_site" \(from SYNC_S3_BUCKET \(env\)\) is not a valid S3 bucket name/);
    expect(() => resolveSyncSettings(project({ SYNC_CLOUDFRONT_DISTRIBUTION_ID: 'E2 X' }), {})).toThrow(/^"E2 X" \(from SYNC_CLOUDFRONT_DISTRIBUTION_ID \(env\)\)/);
  });

  it.each([
    ['my-site.example.com', undefined],
    ['abc', undefined],
    ['ab', /2 characters/],
    ['a'.repeat(64), /64 characters/],
    ['My-Site', /"M" is not allowed/],
    ['site_1', /"_" is not allowed/],
    ['-site', /start and end/],
    ['site.', /start and end/],
    ['my..site', /two periods/],
    ['192.168.5.4', /IP address/],
    ['xn--site', /reserved prefix "xn--"/],
    ['site-s3alias', /reserved suffix "-s3alias"/],
  ])('bucket name %s', (name, problem) => {
    if (problem === undefined) expect(bucketNameProblem(name)).toBeUndefined();
    else expect(bucketNameProblem(name)).toMatch(problem);
  });
});
