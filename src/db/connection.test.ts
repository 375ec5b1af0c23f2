import { describe, expect, it } from 'vitest';
import { CruddurError } from '../core/errors.js';
import { chooseUrl, clientConfig, maintenanceTarget, parseTarget, sslModeOf } from './connection.js';

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
    ['not a url at all', /not a valid URL/],
    ['postgres://u:s3cretPassw0rd@[bad', /not a valid URL/],
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

describe('ssl', () => {
  it.each([
    ['postgresql://u@127.0.0.1/db', 'disable', false],
    ['postgresql://u@localhost/db', 'disable', false],
    ['postgresql://u@rds.example.com/db', 'prefer', { rejectUnauthorized: false }],
    ['postgresql://u@rds.example.com/db?sslmode=disable', 'disable', false],
    ['postgresql://u@rds.example.com/db?sslmode=require', 'require', { rejectUnauthorized: false }],
    ['postgresql://u@rds.example.com/db?sslmode=verify-full', 'verify-full', { rejectUnauthorized: true, ca: undefined }],
  ])('%s -> %s', (url, mode, ssl) => {
    const t = parseTarget(url, 'CONNECTION_URL');
    expect(sslModeOf(t)).toBe(mode);
    expect(clientConfig(t).ssl).toEqual(ssl);
  });

  it('honours connect_timeout, else a short default', () => {
    expect(clientConfig(parseTarget('postgresql://u@h/db?connect_timeout=2', 'CONNECTION_URL')).connectionTimeoutMillis).toBe(2000);
    expect(clientConfig(parseTarget('postgresql://u@h/db', 'CONNECTION_URL')).connectionTimeoutMillis).toBe(5000);
  });
});
