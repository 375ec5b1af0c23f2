import { describe, expect, it } from 'vitest';
import { connectionPasswords, Redactor, redactUrl } from './redact.js';

describe('Redactor patterns', () => {
  const r = new Redactor();
  it.each([
    ['postgresql://user:hunter22@db.example.com:5432/app', 'postgresql://user:***@db.example.com:5432/app'],
    ['Error: connect postgres://root:p%40ss@host/db failed', 'Error: connect postgres://root:***@host/db failed'],
    ['CONNECTION_URL=postgresql://u:pw12345@h/d', 'CONNECTION_URL=postgresql://u:***@h/d'],
    ['PROD=postgresql://root:a b@h/d', 'PROD=postgresql://root:***@h/d'],
    ['PROD=postgresql://root:p%40ss w0rd@rds.example.com:5432/cruddur', 'PROD=postgresql://root:***@rds.example.com:5432/cruddur'],
    ['connect to postgresql://127.0.0.1:5432 refused', 'connect to postgresql://127.0.0.1:5432 refused'],
    ['see https://example.com:8080/x?a=b@c', 'see https://example.com:8080/x?a=b@c'],
    ['host=db password=s3cret sslmode=require', 'host=db password=*** sslmode=require'],
    ['PGPASSWORD: "abc123"', 'PGPASSWORD: "***"'],
    ['Could not get a token: the AWS credentials have expired', 'Could not get a token: the AWS credentials have expired'],
    ['wrong password: check it', 'wrong password: check it'],
    ['session token: none found', 'session token: none found'],
    ['key AKIAIOSFODNN7EXAMPLE used', 'key AKIAIOSFODNN7EXA*** used'],
    ['AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'AWS_SECRET_ACCESS_KEY=***'],
    ['aws_session_token = FwoGZXIvYXdzEJr//////////wEaDK', 'aws_session_token = ***'],
    ['Authorization: Basic QVdTOnNlY3JldA==', 'Authorization: ***'],
    ['docker login --username AWS --password-stdin 1.dkr.ecr.us-east-1.amazonaws.com', 'docker login --username AWS --password-stdin 1.dkr.ecr.us-east-1.amazonaws.com'],
    ['https://assets.example.com/avatars/data.jpg', 'https://assets.example.com/avatars/data.jpg'],
    ['password authentication failed for user "postgres"', 'password authentication failed for user "postgres"'],
  ])('%s', (input, expected) => {
    expect(r.redact(input)).toBe(expected);
  });
});

describe('Redactor registered values', () => {
  it('removes exact values from secret-named variables and URL passwords, wherever they appear', () => {
    const r = new Redactor();
    r.addFromEnv({
      DB_PASSWORD: 'correct-horse',
      PROD_CONNECTION_URL: 'postgresql://root:s3cretPassw0rd@rds.example.com/cruddur',
      AWS_REGION: 'us-east-1',
      SHORT_TOKEN: 'abc',
    });
    r.add('dockerpassword-from-ecr');
    expect(r.redact('the value correct-horse appeared')).toBe('the value *** appeared');
    expect(r.redact('s3cretPassw0rd alone')).toBe('*** alone');
    expect(r.redact('token dockerpassword-from-ecr!')).toBe('token ***!');
    expect(r.redact('region us-east-1 abc')).toBe('region us-east-1 abc');
  });

  it('finds secrets holding regex syntax, and ones added after a first redact', () => {
    const r = new Redactor();
    r.add('pa$$(w0rd)+[x]|y\\');
    expect(r.redact('a pa$$(w0rd)+[x]|y\\ b')).toBe('a *** b');
    expect(r.redact('nothing here')).toBe('nothing here');
    r.add('added-later-secret');
    expect(r.redact('x added-later-secret pa$$(w0rd)+[x]|y\\')).toBe('x *** ***');
  });

  it('redacts inside JSON values without breaking the JSON', () => {
    const r = new Redactor();
    r.add('sup3r-secret');
    const value = r.redactValue({ url: 'postgres://a:sup3r-secret@h/d', nested: ['x sup3r-secret y'] });
    expect(value).toEqual({ url: 'postgres://a:***@h/d', nested: ['x *** y'] });
  });

  it('redactUrl hides any password but keeps the rest readable', () => {
    expect(redactUrl('postgresql://u:pw@h:5432/db?sslmode=require')).toBe('postgresql://u:***@h:5432/db?sslmode=require');
    expect(redactUrl('postgresql://u@h/db')).toBe('postgresql://u@h/db');
  });
});

describe('placeholders', () => {
  it('does not register well-known local placeholder credentials as exact secrets', () => {
    const r = new Redactor();
    r.addFromEnv({ CONNECTION_URL: 'postgresql://postgres:postgres@127.0.0.1:5432/cruddur', AWS_SECRET_ACCESS_KEY: 'S3RVER' });
    expect(r.redact('PostgreSQL postgres on S3RVER')).toBe('PostgreSQL postgres on S3RVER');
    expect(r.redact('postgresql://postgres:postgres@127.0.0.1:5432/cruddur')).toBe('postgresql://postgres:***@127.0.0.1:5432/cruddur');
  });
});

describe('--json: strings are redacted before serialising', () => {
  // Issue: a secret-named key followed by a quote in a message ate the `\` of `\"` in the serialised text,
  // leaving stdout that was not JSON.
  it.each([
    ['.env:1: text DB_PASSWORD="abc"defghi here', '.env:1: text DB_PASSWORD="***" here'],
    ['API_TOKEN="abc" ,x', 'API_TOKEN="***" ,x'],
    [`syntax error in 'DB_PASSWORD="abc"def'`, `syntax error in 'DB_PASSWORD="***"'`],
    ['X="a\\"b\\\\c"', 'X="a\\"b\\\\c"'],
  ])('%s', (message, expected) => {
    const r = new Redactor();
    const doc = { error: { code: 'X', message, suggestion: 'do "this"' } };
    const text = JSON.stringify(r.redactValue(doc), null, 2);
    expect(JSON.parse(text)).toEqual({ error: { code: 'X', message: expected, suggestion: 'do "this"' } });
  });

  it('removes registered secrets that hold quotes and backslashes (JSON escapes them)', () => {
    const r = new Redactor();
    r.add('pa"ss\\w0rd');
    const text = JSON.stringify(r.redactValue({ message: 'login with pa"ss\\w0rd failed' }));
    expect(JSON.parse(text)).toEqual({ message: 'login with *** failed' });
  });

  it('removes the JSON-escaped form of a registered secret from text that holds JSON, leaving it valid', () => {
    const r = new Redactor();
    r.add('pa"ss\\w0\nrd');
    const logged = JSON.stringify({ request: { password: 'pa"ss\\w0\nrd' } });
    expect(r.redact(logged)).toBe('{"request":{"password":"***"}}');
  });

  it('hides whole string values under secret-named keys, and redacts keys', () => {
    const r = new Redactor();
    r.add('key-that-is-secret');
    const value = r.redactValue({ DB_PASSWORD: 'short', nested: [{ secretAccessKey: 'abc', password: 'x"y', name: 'DB_PASSWORD' }], 'key-that-is-secret': 1, count: 3, empty: null });
    expect(value).toEqual({ DB_PASSWORD: '***', nested: [{ secretAccessKey: '***', password: '***', name: 'DB_PASSWORD' }], '***': 1, count: 3, empty: null });
  });

  it('returns plain JSON for values JSON.stringify would change (Dates, undefined, toJSON)', () => {
    const r = new Redactor();
    const at = new Date('2026-01-02T03:04:05Z');
    expect(r.redactValue({ at, gone: undefined })).toEqual({ at: '2026-01-02T03:04:05.000Z' });
    expect(r.redactValue(undefined)).toBeNull();
  });
});

describe('connection strings: passwords registered as libpq reads them', () => {
  it.each([
    // [connection string, registered forms that must be hidden in "…${form}…"]
    ['postgresql://root:p%40ss w0rd@rds.example.com:5432/cruddur', ['p%40ss w0rd', 'p@ss w0rd']],
    ['postgresql://root:p%40ssw0rd1@rds.example.com/cruddur', ['p%40ssw0rd1', 'p@ssw0rd1']],
    ['postgresql://root:p@ssw0rd2@rds.example.com/cruddur', ['p@ssw0rd2']],
    ['postgresql://root:pa:ss:w0rd@rds.example.com/cruddur', ['pa:ss:w0rd']],
    ['postgres://root:with space here@h/db?sslmode=require', ['with space here']],
    ['postgresql://root@h/db?sslmode=require&password=qu3ry%20pass', ['qu3ry%20pass', 'qu3ry pass']],
    ['postgresql:///cruddur?host=/tmp&password=s0cketpass', ['s0cketpass']],
    ['host=db.example.com port=5432 password=kvsecret1 dbname=cruddur', ['kvsecret1']],
    ["host=db password='it\\'s a s3cret' dbname=cruddur", ["it's a s3cret"]],
  ])('%s', (url, forms) => {
    const r = new Redactor();
    r.addFromEnv({ PROD_CONNECTION_URL: url });
    for (const form of forms) expect(r.redact(`value: ${form} end`)).toBe('value: *** end');
    expect(r.redact(`PROD=${url}`)).not.toContain(forms[0]);
  });

  it('a URL without a password registers nothing', () => {
    expect(connectionPasswords('postgresql://root@rds.example.com:5432/cruddur')).toEqual([]);
    expect(connectionPasswords('postgresql://rds.example.com/cruddur?sslmode=require')).toEqual([]);
    expect(connectionPasswords('https://assets.example.com/a@b/c')).toEqual([]);
  });

  it('redactUrl masks the password of a URL that WHATWG URL rejects', () => {
    expect(redactUrl('postgresql://root:p%40ss w0rd@rds.example.com:5432/cruddur')).toBe('postgresql://root:***@rds.example.com:5432/cruddur');
    expect(redactUrl('postgresql://u:p@ss w@h/db')).toBe('postgresql://u:***@h/db');
  });
});
