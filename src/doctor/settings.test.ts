import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir, type TempDir } from '../../test/support/tmp.js';
import { loadProjectConfig } from '../core/config.js';
import { resolveSyncSettings } from '../frontend/settings.js';
import { resolveDoctorSettings, settingsReport } from './settings.js';

describe('doctor settings', () => {
  let dir: TempDir;
  beforeEach(async () => {
    dir = await tempDir('cruddur-doctor-settings-');
    await writeFile(join(dir.path, 'cruddur.json'), '{}');
  });
  afterEach(async () => {
    await dir.cleanup();
  });

  it('checks the bucket and distribution `frontend sync` uses, even when .env names others', async () => {
    // Before: doctor let .env beat sync.env, frontend sync the other way round.
    await writeFile(join(dir.path, '.env'), 'SYNC_S3_BUCKET=stale-bucket\nSYNC_CLOUDFRONT_DISTRIBUTION_ID=ESTALE\nCLOUDFRONT_DISTRIBUTION_ID=EAVATARS\n');
    await writeFile(join(dir.path, 'sync.env'), 'SYNC_S3_BUCKET=s3://site-bucket/\nSYNC_CLOUDFRONT_DISTRUBTION_ID=ESITE\n');
    const project = loadProjectConfig({ cwd: dir.path, env: {} });
    const sync = resolveSyncSettings(project, {});
    const doctor = resolveDoctorSettings(project);
    expect(doctor.syncBucket).toEqual({ value: 's3://site-bucket/', source: 'sync.env', name: 'SYNC_S3_BUCKET' });
    expect(sync.bucket).toBe('site-bucket');
    expect(doctor.syncDistributionId?.value).toBe(sync.distributionId);
    expect(doctor.avatarDistributionId).toEqual({ value: 'EAVATARS', source: '.env', name: 'CLOUDFRONT_DISTRIBUTION_ID' });
  });

  it('reports every setting with its source, the database URL without credentials, unset ones as null', async () => {
    await mkdir(join(dir.path, '.cruddur'));
    await writeFile(join(dir.path, '.cruddur', 'local.env'), 'CONNECTION_URL=postgresql://postgres:s3cretPassw0rd@127.0.0.1:54329/cruddur\nUPLOADS_BUCKET_NAME=local-uploads\n');
    const project = loadProjectConfig({ cwd: dir.path, env: { ASSETS_BUCKET_NAME: 'assets' } });
    const rows = settingsReport(resolveDoctorSettings(project));
    expect(rows.map((r) => r.key)).toEqual(['connectionUrl', 'uploadsBucket', 'assetsBucket', 'avatarDistributionId', 'syncBucket', 'syncDistributionId', 'securityGroupId', 'securityGroupRuleId']);
    expect(rows[0]).toEqual({ key: 'connectionUrl', label: 'database URL', variable: 'CONNECTION_URL', value: '127.0.0.1:54329/cruddur', source: 'local stack' });
    expect(rows[1]).toMatchObject({ value: 'local-uploads', source: 'local stack' });
    expect(rows[2]).toMatchObject({ value: 'assets', source: 'env' });
    expect(rows[5]).toEqual({ key: 'syncDistributionId', label: 'frontend sync CloudFront distribution', variable: 'SYNC_CLOUDFRONT_DISTRIBUTION_ID', value: null, source: null });
    expect(JSON.stringify(rows)).not.toContain('s3cretPassw0rd');
  });
});
