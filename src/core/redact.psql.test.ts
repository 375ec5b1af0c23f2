// Differential: the passwords the redactor registers from a connection string are the ones psql (libpq) connects
// with. Each role below has a password only scram-sha-256 accepts; psql connecting with the string proves libpq
// read that password from it, and the redactor must have registered it (as written and percent-decoded).
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../../test/support/postgres.js';
import { connectionPasswords, Redactor } from './redact.js';

/** [case, role password, connection string given host:port and role] */
const CORPUS: [string, string, (hostPort: string, role: string) => string][] = [
  ['space and percent-encoded @', 'p@ss w0rd', (hp, r) => `postgresql://${r}:p%40ss w0rd@${hp}/postgres`],
  ['raw spaces', 'with space here', (hp, r) => `postgresql://${r}:with space here@${hp}/postgres`],
  ['raw colons', 'pa:ss:w0rd', (hp, r) => `postgres://${r}:pa:ss:w0rd@${hp}/postgres`],
  ['raw ? and #', 'p?ss#w0rd', (hp, r) => `postgresql://${r}:p?ss#w0rd@${hp}/postgres?sslmode=disable`],
  ['percent-encoded / and space', 'a/b c%d', (hp, r) => `postgresql://${r}:a%2Fb%20c%25d@${hp}/postgres`],
  ['?password= query parameter', 'qu3ry pass', (hp, r) => `postgresql://${r}@${hp}/postgres?password=qu3ry%20pass`],
  ['key=value conninfo, quoted', "it's a s3cret", (hp, r) => `host=${hp.split(':')[0]} port=${hp.split(':')[1]} user=${r} dbname=postgres password='it\\'s a s3cret'`],
  ['key=value conninfo, bare', 'kvsecret1', (hp, r) => `host=${hp.split(':')[0]} port=${hp.split(':')[1]} user=${r} password=kvsecret1 dbname=postgres`],
];

describe('connection-string passwords, as psql reads them (real PostgreSQL, scram-sha-256)', () => {
  let pg: TestPostgres;
  let hostPort: string;
  beforeAll(async () => {
    pg = await startTestPostgres();
    const url = new URL(pg.url());
    hostPort = `${url.hostname}:${url.port}`;
    for (const [i, [, password]] of CORPUS.entries()) {
      await pg.query('postgres', `CREATE ROLE redact_${i} LOGIN PASSWORD '${password.replaceAll("'", "''")}'`);
    }
  });
  afterAll(async () => {
    await pg?.stop();
  });

  it.each(CORPUS.map((row, i) => [row[0], i] as const))('%s', async (_name, i) => {
    const [, password, make] = CORPUS[i] as (typeof CORPUS)[number];
    const conninfo = make(hostPort, `redact_${i}`);
    const psql = await execa('psql', [conninfo, '-XAtc', 'SELECT current_user'], {
      reject: false,
      timeout: 20_000,
      env: { PGPASSWORD: undefined, PGPASSFILE: '/nonexistent', PGCONNECT_TIMEOUT: '5' },
    });
    expect(psql.exitCode, String(psql.stderr)).toBe(0);
    expect(String(psql.stdout).trim()).toBe(`redact_${i}`);
    expect(connectionPasswords(conninfo)).toContain(password);
    const redactor = new Redactor();
    redactor.addFromEnv({ CONNECTION_URL: conninfo });
    expect(redactor.redact(`printed: ${conninfo} and ${password}`)).not.toContain(password);
  });

  // The db commands read the same URLs as libpq: each connects as the role psql connected as. Raw `?` and `#`
  // in a password are not read (a WHATWG URL starts the query or fragment there); cruddur refuses that URL.
  it.each(CORPUS.map((row, i) => [row[0], i] as const).filter(([, i]) => (CORPUS[i] as (typeof CORPUS)[number])[2]('h:1', 'r').startsWith('postgres')))(
    'db commands connect with it too: %s',
    async (_name, i) => {
      const [, , make] = CORPUS[i] as (typeof CORPUS)[number];
      const url = make(hostPort, `redact_${i}`);
      const [{ parseTarget }, { openClient }] = await Promise.all([import('../db/connection.js'), import('../db/client.js')]);
      let target;
      try {
        target = parseTarget(url, 'CONNECTION_URL', false, {});
      } catch (error) {
        expect(url).toMatch(/:[^@/]*[?#][^@/]*@/);
        expect((error as Error).message).toMatch(/^CONNECTION_URL is malformed/);
        return;
      }
      const client = await openClient(target, { connectionTimeoutMillis: 5_000 });
      try {
        expect((await client.query('SELECT current_user AS u')).rows[0]?.u).toBe(`redact_${i}`);
      } finally {
        await client.end();
      }
    },
  );
});
