import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/tmp.js';

// `npm run demo` is the README's first command on a fresh machine: it must keep working.
describe('npm run demo', () => {
  it('runs the whole job on the local stack and cleans up after itself', async () => {
    const result = await execa(process.execPath, ['scripts/demo.js'], { cwd: REPO_ROOT, reject: false, env: { CI: 'true' }, timeout: 120_000 });
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(/Local stack started in [\d.]+ s/);
    expect(out).toMatch(/db\s+done\s+cruddur: 4 seeded rows, 2 migration\(s\) applied/);
    expect(out).toMatch(/Table cruddur-messages created: ACTIVE, index message-group-sk-index/);
    expect(out).toContain('DynamoDB: 5 items in cruddur-messages');
    expect(out).toMatch(/-> tmp\/avatars\/data\.jpg: 512x512 JPEG/);
    expect(out).toMatch(/Avatar ready after [\d.]+ s: s3:\/\/assets\.demo\.cruddur\.test\/avatars\/data\.jpg/);
    expect(out).toMatch(/Plan: 6 create, 0 update, 0 delete/);
    expect(out).toMatch(/\d+ ok, \d+ warnings?, 0 failed, \d+ skipped/);
    expect(out).toContain('demo finished');
    expect(out).toContain('Local stack stopped.');
  });
});
