import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProjectConfig } from '../../core/config.js';
import { discoverTemplates } from '../../env/templates.js';
import { copyApp, parseEnvFile, FIXTURE_APP, type TempDir } from '../../../test/support/tmp.js';
import { templateChecks, templateOutcome } from './templates.js';

describe('template checks', () => {
  let app: TempDir;
  let demoEnv: Record<string, string>;
  beforeAll(async () => {
    app = await copyApp();
    demoEnv = parseEnvFile(await readFile(join(FIXTURE_APP, 'demo.env'), 'utf8'));
  });
  afterAll(async () => {
    await app.cleanup();
  });

  const sync = (env: Record<string, string>) => {
    const project = loadProjectConfig({ cwd: app.path, env });
    const template = discoverTemplates(project).find((t) => t.name === 'sync');
    if (!template) throw new Error('fixture has no sync template');
    return templateOutcome(project, template);
  };

  it('has one check per template of the project', () => {
    expect(templateChecks(loadProjectConfig({ cwd: app.path, env: {} })).map((c) => c.id)).toEqual([
      'template-backend-flask',
      'template-frontend-react-js',
      'template-sync',
    ]);
  });

  it('fails naming each unset variable and its line, writing nothing', async () => {
    const project = loadProjectConfig({ cwd: app.path, env: {} });
    const backend = discoverTemplates(project).find((t) => t.name === 'backend-flask');
    if (!backend) throw new Error('fixture has no backend template');
    const outcome = await templateOutcome(project, backend);
    expect(outcome).toMatchObject({ status: 'fail', fix: 'set them (export, .env or .env.local), then run `cruddur env generate backend-flask`' });
    expect(outcome.detail).toBe(
      '6 variables not set in erb/backend-flask.env.erb (name:line): CONNECTION_URL:2, FRONTEND_URL:3, BACKEND_URL:4, AWS_DEFAULT_REGION:6, AWS_COGNITO_USER_POOL_ID:7, AWS_COGNITO_USER_POOL_CLIENT_ID:8',
    );
    await expect(sync({})).resolves.toMatchObject({ status: 'fail', fix: 'set DOMAIN_NAME (export, .env or .env.local), then run `cruddur env generate sync`' });
  });

  it('warns when the env file is missing or stale, and passes when it is up to date', async () => {
    await expect(sync(demoEnv)).resolves.toMatchObject({ status: 'warn', detail: 'renders; sync.env not generated yet', fix: 'run `cruddur env generate sync`' });
    const syncEnv = join(app.path, 'sync.env');
    await writeFile(syncEnv, 'SYNC_S3_BUCKET=old\n');
    await expect(sync(demoEnv)).resolves.toMatchObject({ status: 'warn', detail: 'renders; sync.env is out of date' });
    const template = await readFile(join(app.path, 'erb', 'sync.env.erb'), 'utf8');
    await writeFile(syncEnv, template.replace("<%= ENV['DOMAIN_NAME'] %>", demoEnv.DOMAIN_NAME ?? '').replace("<%= ENV.fetch('CLOUDFRONT_DISTRIBUTION_ID', '') %>", ''));
    await expect(sync(demoEnv)).resolves.toEqual({ status: 'ok', detail: 'renders; sync.env up to date' });
  });
});
