import { describe, expect, it } from 'vitest';
import { Redactor, redactUrl } from './redact.js';

describe('Redactor patterns', () => {
  const r = new Redactor();
  it.each([
    ['postgresql://user:hunter22@db.example.com:5432/app', 'postgresql://user:***@db.example.com:5432/app'],
    ['Error: connect postgres://root:p%40ss@host/db failed', 'Error: connect postgres://root:***@host/db failed'],
    ['CONNECTION_URL=postgresql://u:pw12345@h/d', 'CONNECTION_URL=postgresql://u:***@h/d'],
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
