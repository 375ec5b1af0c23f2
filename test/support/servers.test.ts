import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from './postgres.js';

describe('test PostgreSQL helper', () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await startTestPostgres();
  });
  afterAll(async () => {
    await pg.stop();
  });

  it('runs a real server on 127.0.0.1 and gives each test its own database', async () => {
    const a = await pg.createDatabase();
    const b = await pg.createDatabase();
    expect(a.name).not.toBe(b.name);
    expect(a.url).toMatch(/^postgresql:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\//);
    const [row] = await pg.query<{ db: string; addr: string }>(a.name, 'SELECT current_database() AS db, inet_server_addr()::text AS addr');
    expect(row).toEqual({ db: a.name, addr: '127.0.0.1/32' });
  });
});
