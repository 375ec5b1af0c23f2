import { execa } from 'execa';
import { readFile, symlink, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { STATE_KEY } from '../../src/frontend/state.js';
import { startFakeAws, type FakeAws } from '../support/aws-fake.js';
import { cliEnv } from '../support/cli.js';
import { startTestS3, type TestS3 } from '../support/s3.js';
import { copyApp, REPO_ROOT, tempDir, type TempDir } from '../support/tmp.js';
import { DISTRIBUTION_ID, invalidationRequests, routeCloudFront } from './cloudfront-fake.js';

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
  'working-directory'?: string;
}

/** The GitHub Actions example of docs/frontend.md, as written there. */
async function documentedWorkflow(): Promise<{ steps: Step[] }> {
  const markdown = await readFile(join(REPO_ROOT, 'docs', 'frontend.md'), 'utf8');
  const block = /```yaml\n(# \.github\/workflows\/sync\.yaml[\s\S]*?)```/.exec(markdown)?.[1];
  if (!block) throw new Error('no sync.yaml block in docs/frontend.md');
  const workflow = parse(block) as { jobs: Record<string, { steps: Step[] }> };
  return Object.values(workflow.jobs)[0] as { steps: Step[] };
}

let s3: TestS3;
let fake: FakeAws;
let app: TempDir;
let prefix: TempDir;

beforeAll(async () => {
  [s3, fake, app, prefix] = await Promise.all([startTestS3(['example.com']), startFakeAws(), copyApp(), tempDir('cruddur-npm-prefix-')]);
  routeCloudFront(fake);
});
afterAll(async () => {
  await Promise.all([s3?.stop(), fake?.stop(), app?.cleanup(), prefix?.cleanup()]);
});

describe('the documented GitHub Actions workflow', () => {
  it('installs cruddur from the devkit checkout and deploys, running its run: steps in order', async () => {
    const { steps } = await documentedWorkflow();
    const vars: Record<string, string> = { USER_POOL_ID: 'us-east-1_TEST', USER_POOL_CLIENT_ID: 'client', CLOUDFRONT_DISTRIBUTION_ID: DISTRIBUTION_ID };
    const expand = (text: string) => text.replace(/\$\{\{\s*vars\.([A-Z_]+)\s*\}\}/g, (_m, name: string) => vars[name] ?? '');
    const summary = join(prefix.path, 'summary.md');
    const base = cliEnv({
      ...s3.env,
      AWS_ENDPOINT_URL_CLOUDFRONT: fake.endpoint,
      AWS_REGION: 'us-east-1',
      PATH: `${join(prefix.path, 'bin')}:${process.env.PATH}`,
      NPM_CONFIG_PREFIX: prefix.path,
      npm_config_prefix: prefix.path,
      NPM_CONFIG_OFFLINE: 'true',
      NPM_CONFIG_UPDATE_NOTIFIER: 'false',
      GITHUB_STEP_SUMMARY: summary,
    });
    // A real app repository commits its lockfile (`npm ci` needs one); the sample app has no dependencies.
    await writeFile(join(app.path, 'frontend-react-js', 'package-lock.json'), JSON.stringify({ name: 'demo-frontend', version: '0.0.0', lockfileVersion: 3, requires: true, packages: { '': { name: 'demo-frontend', version: '0.0.0' } } }));

    const ran: string[] = [];
    let devkit: string | undefined;
    for (const step of steps) {
      if (step.uses) {
        // actions/checkout with a path is the devkit: this repository, already built by the test run.
        if (step.uses.startsWith('actions/checkout') && step.with?.path) {
          devkit = step.with.path;
          await mkdir(join(app.path, devkit, '..'), { recursive: true });
          await symlink(REPO_ROOT, join(app.path, devkit), 'dir');
        }
        continue;
      }
      if (!step.run) continue;
      const cwd = join(app.path, step['working-directory'] ?? '.');
      // The devkit's own `npm ci && npm run build` needs the npm registry; the test run built it already.
      if (devkit && step['working-directory'] === devkit) {
        ran.push(`(built already) ${step.run}`);
        continue;
      }
      const env = { ...base, ...Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(String(v))])) };
      const result = await execa('bash', ['-e', '-c', step.run], { cwd, env, extendEnv: false, reject: false, timeout: 120_000, stdin: 'ignore' });
      expect(result.exitCode, `${step.run}\n${result.stdout}\n${result.stderr}`).toBe(0);
      ran.push(step.run);
      if (step.run === 'cruddur --version') expect(result.stdout).toMatch(/^cruddur\/\d+\.\d+\.\d+/);
    }
    const expected = ['(built already) npm ci', 'npm install -g ./.devkit/cruddur', 'cruddur --version', 'npm ci', 'cruddur frontend static-build', 'cruddur frontend sync'];
    expect(ran).toHaveLength(expected.length);
    ran.forEach((run, i) => expect(run.startsWith(expected[i] as string), run).toBe(true));
    // The global install is a real one, into the prefix, pointing at the devkit.
    expect(await readFile(join(prefix.path, 'bin', 'cruddur'), 'utf8')).toContain('oclif');
    const listed = await s3.client().send(new (await import('@aws-sdk/client-s3')).ListObjectsV2Command({ Bucket: 'example.com' }));
    const keys = (listed.Contents ?? []).map((o) => o.Key ?? '');
    expect(keys).toContain('index.html');
    expect(keys).not.toContain(STATE_KEY);
    expect(invalidationRequests(fake)).toHaveLength(1);
    expect(await readFile(summary, 'utf8')).toContain('### Frontend sync to `s3://example.com`');
  });
});
