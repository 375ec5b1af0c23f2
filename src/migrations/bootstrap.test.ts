import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProjectConfig } from '../core/config.js';
import { silentLogger } from '../core/output.js';
import { runTasks } from '../core/tasks.js';
import { startTestPostgres, type TestPostgres } from '../../test/support/postgres.js';
import { copyApp, type TempDir } from '../../test/support/tmp.js';
import { dbBootstrapTask } from './bootstrap.js';

describe('bootstrap --db hook', () => {
  let pg: TestPostgres;
  let app: TempDir;
  beforeAll(async () => {
    pg = await startTestPostgres();
    app = await copyApp();
  });
  afterAll(async () => {
    await app.cleanup();
    await pg.stop();
  });

  it('is skipped without --db or with --skip db, and runs db setup with --db', async () => {
    const project = loadProjectConfig({ cwd: app.path, env: { CONNECTION_URL: pg.url('boot') } });
    const ctx = (db: boolean, skip: string[] = []) => ({ project, logger: silentLogger, options: { db, skip } });
    expect(await runTasks([dbBootstrapTask()], ctx(false), { exitOnError: true, silent: true })).toEqual([
      { id: 'db', title: expect.any(String), status: 'skipped', detail: 'pass --db to set up the database' },
    ]);
    expect((await runTasks([dbBootstrapTask()], ctx(true, ['db']), { exitOnError: true, silent: true }))[0]?.detail).toBe('--skip db');
    const [done] = await runTasks([dbBootstrapTask()], ctx(true), { exitOnError: true, silent: true });
    expect(done).toMatchObject({ status: 'done', detail: 'boot: 4 seeded rows, 2 migration(s) applied' });
    expect(await pg.query('boot', 'SELECT count(*)::int AS n FROM users')).toEqual([{ n: 2 }]);
  });
});
