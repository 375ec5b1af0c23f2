import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB_CASES } from './bad-input/db-cases.js';
import { registerSecret, runCli } from './support/cli.js';
import { startTestPostgres, type TestPostgres } from './support/postgres.js';
import { copyApp, type TempDir } from './support/tmp.js';

// Runs the db bad-input cases on this branch (main's corpus harness runs them after the merge).
describe('db bad input: one line, documented exit code, a Try: line, no secret', () => {
  let pg: TestPostgres;
  const apps: TempDir[] = [];
  beforeAll(async () => {
    pg = await startTestPostgres();
    for (const secret of ['Sup3rSecretPw', 'Wr0ngPassw0rd-x', 'Pr0dPassw0rd', 'demo-not-secret']) registerSecret(secret);
  });
  afterAll(async () => {
    for (const app of apps) await app.cleanup();
    await pg.stop();
  });

  it.each(DB_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const app = await copyApp();
    apps.push(app);
    const ctx = { app: app.path, pgBase: pg.url('x').replace(/\/x$/, '') };
    await c.setup?.(ctx);
    const result = await runCli(c.args, { cwd: app.path, env: c.env?.(ctx) });
    expect(result.exitCode, result.stderr).toBe(c.exitCode);
    const lines = result.stderr.trim().split('\n');
    expect(lines, result.stderr).toHaveLength(2);
    expect(lines[0]?.replace(/^Error: /, '')).toMatch(c.error);
    expect(lines[1]).toMatch(/^Try: \S/);
    expect(result.stdout).toBe('');
  });
});
