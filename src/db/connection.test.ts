import { describe, expect, it } from 'vitest';
import { CruddurError } from '../core/errors.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { tempDir, type TempDir } from '../../test/support/tmp.js';
import { prodSelector } from '../db-base-command.js';
import { requirePoolId } from './cognito.js';
import { chooseUrl, clientConfig, maintenanceTarget, parseTarget, sslModeOf, tlsSettings } from './connection.js';

describe('chooseUrl', () => {
  const env = { CONNECTION_URL: 'postgresql://a@h/dev', PROD_CONNECTION_URL: 'postgresql://b@h/prod' };
  it.each([
    [{ env }, 'CONNECTION_URL', 'postgresql://a@h/dev'],
    [{ env, prod: true }, 'PROD_CONNECTION_URL', 'postgresql://b@h/prod'],
    [{ env, prod: true, url: 'postgresql://c@h/x' }, '--url', 'postgresql://c@h/x'],
    [{ env, url: 'postgresql://c@h/x' }, '--url', 'postgresql://c@h/x'],
  ])('%o -> %s', (input, source, url) => {
    expect(chooseUrl(input)).toEqual({ url, source });
  });

  it('reads PRD_CONNECTION_URL (the bootcamp week 4 name) when PROD_CONNECTION_URL is unset', () => {
    expect(chooseUrl({ env: { PRD_CONNECTION_URL: 'postgresql://p@h/prd' }, prod: true })).toEqual({ url: 'postgresql://p@h/prd', source: 'PRD_CONNECTION_URL' });
    expect(chooseUrl({ env: { ...env, PRD_CONNECTION_URL: 'postgresql://p@h/prd' }, prod: true })?.source).toBe('PROD_CONNECTION_URL');
  });

  it('a bare prod/prd first argument means --prod; the pool id also comes from REACT_APP_AWS_USER_POOLS_ID', () => {
    expect(prodSelector(['prod'])).toEqual(['--prod']);
    expect(prodSelector(['prd', '--', '-c', 'SELECT 1'])).toEqual(['--prod', '--', '-c', 'SELECT 1']);
    expect(prodSelector(['--', 'prod'])).toEqual(['--', 'prod']);
    expect(requirePoolId(undefined, { REACT_APP_AWS_USER_POOLS_ID: 'us-east-1_Abc' })).toBe('us-east-1_Abc');
    expect(requirePoolId('flag', { AWS_COGNITO_USER_POOL_ID: 'env' })).toBe('flag');
  });

  it('falls back to the local server only without --prod', () => {
    expect(chooseUrl({ env: {} })).toBeUndefined();
    expect(() => chooseUrl({ env: {}, prod: true })).toThrow(/PROD_CONNECTION_URL is not set/);
  });
});

describe('parseTarget', () => {
  it('reads database, host, port and user, and redacts the password for display', () => {
    const t = parseTarget('postgresql://root:p%40ss@db.example.com:6543/cruddur?sslmode=require', 'PROD_CONNECTION_URL', true);
    expect(t).toMatchObject({ database: 'cruddur', host: 'db.example.com', port: 6543, user: 'root', prod: true });
    expect(t.display).toBe('postgresql://root:***@db.example.com:6543/cruddur?sslmode=require');
  });

  it.each([
    ['postgresql://cruddurroot:p%40%3A%2F%25%23s3cretPassw0rd@127.0.0.1:5432/cruddur', 'p@:/%#s3cretPassw0rd', '127.0.0.1', 5432],
    ['postgresql://u:s3cretPassw0rd@[::1]:6543/cruddur?connect_timeout=3&options=-c%20search_path%3Dapp', 's3cretPassw0rd', '::1', 6543],
    ['postgresql://u:%C3%BC@[2001:db8::1]/cruddur', 'ü', '2001:db8::1', 5432],
    // libpq takes a raw space literally (psql connects with it); the WHATWG parser alone refuses it.
    ['postgresql://root:p%40ss w0rd@rds.example.com:5432/cruddur', 'p@ss w0rd', 'rds.example.com', 5432],
    // Query parameters come after user:password in libpq and win.
    ['postgresql://root@rds.example.com/cruddur?password=qu3ry%20pass', 'qu3ry pass', 'rds.example.com', 5432],
    ['postgresql://root:old@rds.example.com/cruddur?password=new%20one', 'new one', 'rds.example.com', 5432],
  ])('%s is a URL libpq accepts', (url, password, host, port) => {
    const t = parseTarget(url, 'CONNECTION_URL', false, {});
    expect(t).toMatchObject({ host, port, database: 'cruddur' });
    expect(clientConfig(t, false).password).toBe(password);
    expect(t.display).not.toContain('s3cretPassw0rd');
  });

  it('takes ?user= over the user name, as libpq does', () => {
    expect(parseTarget('postgresql://ignored@h/db?user=root', 'CONNECTION_URL', false, {}).user).toBe('root');
  });

  it('passes options on', () => {
    expect(clientConfig(parseTarget('postgresql://u@h/db?options=-c%20search_path%3Dapp', 'CONNECTION_URL', false, {}), false)).toMatchObject({ options: '-c search_path=app' });
  });

  it.each([
    ['not a url at all', /not a valid URL/],
    ['postgres://u:s3cretPassw0rd@[bad', /bracketed IPv6 host/],
    ['postgresql://cruddurroot:50%off@127.0.0.1:5432/cruddur', /the password has a "%" that is not followed by two hex digits \(write % as %25\)/],
    ['postgresql://u:s3cretPassw0rd@h/db%zz', /the database name has a "%"/],
    ['postgresql://u:s3cret%00Passw0rd@h/db', /%00/],
    ['mysql://u:p@h/db', /scheme is "mysql"/],
    ['postgresql://u:p@h', /names no database/],
    ['postgresql://u:p@h/db?sslmode=sometimes', /sslmode=sometimes/],
  ])('%s is malformed', (url, message) => {
    let error: unknown;
    try {
      parseTarget(url, 'CONNECTION_URL');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CruddurError);
    expect((error as CruddurError).message).toMatch(message);
    expect((error as CruddurError).message).not.toContain('s3cretPassw0rd');
    expect((error as CruddurError).suggestion).toMatch(/postgresql:\/\/user@host:5432\/database with `:password`/);
  });
});

describe('maintenanceTarget', () => {
  it('swaps only the database, keeping credentials and parameters', () => {
    const t = parseTarget('postgresql://u:pw@h:5433/my%20db?sslmode=disable', 'CONNECTION_URL');
    expect(t.database).toBe('my db');
    const m = maintenanceTarget(t);
    expect(m.database).toBe('postgres');
    expect(m.url).toBe('postgresql://u:pw@h:5433/postgres?sslmode=disable');
  });
});

describe('TLS settings as libpq resolves them', () => {
  let home: TempDir;
  beforeAll(async () => {
    home = await tempDir('cruddur-home-');
    await mkdir(join(home.path, 'with', '.postgresql'), { recursive: true });
    await writeFile(join(home.path, 'with', '.postgresql', 'root.crt'), 'not really a certificate');
  });
  afterAll(async () => {
    await home.cleanup();
  });
  const t = (url: string, env: Record<string, string> = {}) => parseTarget(url, 'CONNECTION_URL', false, { HOME: join(home.path, 'none'), ...env });

  it.each([
    ['postgresql://u@127.0.0.1/db', {}, 'prefer'],
    ['postgresql://u@localhost/db', {}, 'prefer'],
    ['postgresql://u@rds.example.com/db', {}, 'prefer'],
    ['postgresql://u@h/db', { PGSSLMODE: 'require' }, 'require'],
    ['postgresql://u@h/db?sslmode=disable', { PGSSLMODE: 'require' }, 'disable'],
    ['postgresql://u@h/db?sslrootcert=system', {}, 'verify-full'],
  ])('%s with %o -> %s', (url, env, mode) => {
    expect(sslModeOf(t(url, env))).toBe(mode);
  });

  it('verifies nothing without a root certificate, and the chain (not the host) with one, as libpq does for require', () => {
    expect(clientConfig(t('postgresql://u@h/db?sslmode=require'), true).ssl).toEqual({ rejectUnauthorized: false });
    const withRoot = clientConfig(t('postgresql://u@h/db?sslmode=require', { HOME: join(home.path, 'with') }), true).ssl as { rejectUnauthorized: boolean; ca: string; checkServerIdentity?: unknown };
    expect(withRoot.rejectUnauthorized).toBe(true);
    expect(withRoot.ca).toBe('not really a certificate');
    expect(withRoot.checkServerIdentity).toBeTypeOf('function');
    expect(tlsSettings(t('postgresql://u@h/db', { PGSSLROOTCERT: 'system' })).rootCert).toBe('system');
  });

  it.each([
    ['postgresql://u@h/db?sslmode=verify-full', {}, /sslmode=verify-full needs a root certificate/],
    ['postgresql://u@h/db?sslmode=require&sslrootcert=/nonexistent/ca.pem', {}, /root certificate file \/nonexistent\/ca\.pem \(sslrootcert in the URL\) does not exist/],
    ['postgresql://u@h/db?sslmode=verify-ca', { PGSSLROOTCERT: '/nonexistent/ca.pem' }, /\(PGSSLROOTCERT\) does not exist/],
    ['postgresql://u@h/db?sslmode=require&sslrootcert=system', {}, /sslrootcert=system needs sslmode=verify-full/],
  ])('%s %o is refused naming the setting', (url, env, message) => {
    expect(() => tlsSettings(t(url, env))).toThrow(message);
  });

  it('honours connect_timeout, else a short default', () => {
    expect(clientConfig(parseTarget('postgresql://u@h/db?connect_timeout=2', 'CONNECTION_URL'), false).connectionTimeoutMillis).toBe(2000);
    expect(clientConfig(parseTarget('postgresql://u@h/db', 'CONNECTION_URL'), false).connectionTimeoutMillis).toBe(5000);
  });
});
