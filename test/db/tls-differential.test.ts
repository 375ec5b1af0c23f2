import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withClient } from '../../src/db/client.js';
import { parseTarget, type SslMode } from '../../src/db/connection.js';
import { tempDir, type TempDir } from '../support/tmp.js';
import { startDebianPostgres, type DebianPostgres } from './debian-postgres.js';

const run = promisify(execFile);
const MODES: SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];
type CaCase = 'no CA' | 'right CA' | 'wrong CA' | 'wrong host';
const CASES: CaCase[] = ['no CA', 'right CA', 'wrong CA', 'wrong host'];

/**
 * TLS exactly as libpq: a real PostgreSQL with ssl=on and a certificate for `localhost` signed by one of two CAs
 * (the "right" root file is a bundle of both), made here with openssl. For every sslmode x {no CA, right CA,
 * wrong CA, wrong host (127.0.0.1 is not in the certificate)} x {`host`, `hostssl` pg_hba}, cruddur connects
 * exactly when psql (libpq) does, with the same encryption (pg_stat_ssl). One server: its pg_hba gives the user
 * `postgres` a `host` line and the user `ssl_only` only a `hostssl` line.
 */
describe('TLS differential against psql (real PostgreSQL with ssl=on)', () => {
  let certs: TempDir;
  let server: DebianPostgres | undefined;
  /** The user whose only pg_hba lines are of that kind. */
  const USERS = { host: 'postgres', hostssl: 'ssl_only' } as const;

  const openssl = (args: string[]) => run('openssl', args, { cwd: certs.path, timeout: 30_000 });
  async function makeCa(name: string): Promise<void> {
    await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=cruddur test ${name}`]);
  }

  beforeAll(async () => {
    certs = await tempDir('cruddur-tls-');
    for (const ca of ['ca1', 'ca2', 'ca3']) await makeCa(ca);
    await openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost']);
    await writeFile(join(certs.path, 'san.ext'), 'subjectAltName=DNS:localhost\n');
    await openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca1.crt', '-CAkey', 'ca1.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'san.ext']);
    const read = (f: string) => readFile(join(certs.path, f), 'utf8');
    await writeFile(join(certs.path, 'bundle.crt'), (await read('ca2.crt')) + (await read('ca1.crt')));
    await mkdir(join(certs.path, 'home'));
    const files = { 'server.crt': await read('server.crt'), 'server.key': await read('server.key') };
    const conf = ['ssl = on', "ssl_cert_file = 'server.crt'", "ssl_key_file = 'server.key'"];
    const local = 'local all all trust\n';
    const lines = (type: string, user: string) => `${type} all ${user} 127.0.0.1/32 trust\n${type} all ${user} ::1/128 trust\n`;
    server = await startDebianPostgres({ conf, files, hba: `${local}${lines('host', USERS.host)}${lines('hostssl', USERS.hostssl)}` });
    await server.query('postgres', `CREATE ROLE ${USERS.hostssl} LOGIN SUPERUSER`);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await certs?.cleanup();
  });

  function params(mode: SslMode, ca: CaCase): { host: string; rootcert?: string } {
    const host = ca === 'wrong host' ? '127.0.0.1' : 'localhost';
    const rootcert = ca === 'right CA' || ca === 'wrong host' ? join(certs.path, 'bundle.crt') : ca === 'wrong CA' ? join(certs.path, 'ca3.crt') : undefined;
    return { host, rootcert };
  }

  /** psql's outcome: 'tls', 'plain' or 'refused'. HOME is empty so no ~/.postgresql/root.crt is read. */
  async function byPsql(server: DebianPostgres, user: string, mode: SslMode, ca: CaCase): Promise<string> {
    const { host, rootcert } = params(mode, ca);
    const conninfo = `host=${host} port=${server.port} dbname=postgres user=${user} sslmode=${mode} connect_timeout=5${rootcert ? ` sslrootcert=${rootcert}` : ''}`;
    const env = { PATH: process.env.PATH ?? '', HOME: join(certs.path, 'home') };
    return run(server.bin('psql'), ['-X', '-At', '-d', conninfo, '-c', 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()'], { env, timeout: 20_000 }).then(
      (r) => (r.stdout.trim() === 't' ? 'tls' : 'plain'),
      () => 'refused',
    );
  }

  async function byCruddur(server: DebianPostgres, user: string, mode: SslMode, ca: CaCase): Promise<{ outcome: string; code?: string }> {
    const { host, rootcert } = params(mode, ca);
    const url = `postgresql://${user}@${host}:${server.port}/postgres?sslmode=${mode}${rootcert ? `&sslrootcert=${encodeURIComponent(rootcert)}` : ''}`;
    try {
      const target = parseTarget(url, '--url', false, { HOME: join(certs.path, 'home') });
      const rows = await withClient(target, async (c) => (await c.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).rows);
      return { outcome: rows[0]?.ssl ? 'tls' : 'plain' };
    } catch (error) {
      return { outcome: 'refused', code: (error as { code?: string }).code };
    }
  }

  for (const hba of ['host', 'hostssl'] as const) {
    it.each(CASES)(`${hba} pg_hba, %s: every sslmode gives psql's outcome`, async (ca) => {
      const pg = server as DebianPostgres;
      const expected: Record<string, string> = {};
      const actual: Record<string, string> = {};
      for (const mode of MODES) {
        expected[mode] = await byPsql(pg, USERS[hba], mode, ca);
        const ours = await byCruddur(pg, USERS[hba], mode, ca);
        actual[mode] = ours.outcome;
        if (ours.outcome === 'refused') expect(ours.code, `${mode}: a CruddurError code`).toMatch(/^DB_/);
      }
      expect(actual).toEqual(expected);
      // The matrix is not degenerate: libpq's own outcomes for the telling cells.
      if (hba === 'host' && ca === 'right CA') expect(expected).toMatchObject({ disable: 'plain', allow: 'plain', prefer: 'tls', 'verify-full': 'tls' });
      if (hba === 'hostssl' && ca === 'no CA') expect(expected).toMatchObject({ disable: 'refused', allow: 'tls', prefer: 'tls', require: 'tls', 'verify-ca': 'refused' });
      if (hba === 'hostssl' && ca === 'wrong host') expect(expected).toMatchObject({ 'verify-ca': 'tls', 'verify-full': 'refused' });
    });
  }

  it('the three refusals are three different errors', async () => {
    const pg = server as DebianPostgres;
    expect((await byCruddur(pg, USERS.hostssl, 'disable', 'no CA')).code).toBe('DB_TLS_REQUIRED');
    expect((await byCruddur(pg, USERS.hostssl, 'require', 'wrong CA')).code).toBe('DB_TLS_CERT');
    expect((await byCruddur(pg, USERS.hostssl, 'verify-full', 'wrong host')).code).toBe('DB_TLS_CERT');
  });
});
