import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { startTestS3, type TestS3 } from '../support/s3.js';
import { copyApp, type TempDir } from '../support/tmp.js';

let s3: TestS3;
let app: TempDir;
beforeAll(async () => {
  [s3, app] = await Promise.all([startTestS3([]), copyApp()]);
});
afterAll(async () => {
  await Promise.all([s3?.stop(), app?.cleanup()]);
});

type DemoStep = (context: {
  cli: (args: string[], extraEnv?: Record<string, string>) => Promise<{ exitCode: number; stdout: string; stderr: string }>;
  appDir: string;
  env: Record<string, string>;
  log: (line: string) => void;
}) => Promise<void>;
const DEMO_STEP = '../../scripts/demo/frontend.js';

describe('scripts/demo/frontend.js', () => {
  it('builds the sample app, syncs it to the local S3 and prints the changeset summary', async () => {
    const step = ((await import(DEMO_STEP)) as { default: DemoStep }).default;
    const lines: string[] = [];
    const env = { ...s3.env, DOMAIN_NAME: 'demo.cruddur.test' };
    await step({
      cli: (args: string[], extra: Record<string, string> = {}) => runCli(args, { cwd: app.path, env: { ...env, ...extra } }),
      appDir: app.path,
      env,
      log: (line: string) => lines.push(line),
    });
    const output = lines.join('\n');
    expect(output).toMatch(/create\s+index\.html/);
    expect(output).toContain('Plan: 6 create, 0 update, 0 delete, 0 no_change, 0 ignore');
    expect(output).toContain('Plan: 0 create, 0 update, 0 delete, 6 no_change, 0 ignore');
  });
});
