import { describe, expect, it } from 'vitest';
import { parseTarget } from './connection.js';
import { fromPgError } from './errors.js';

const target = parseTarget('postgresql://app:s3cretPassw0rd@db.example.com:5432/cruddur', 'CONNECTION_URL');

describe('fromPgError', () => {
  it.each([
    [{ code: '28P01', message: 'password authentication failed for user "app"' }, 'DB_AUTH_FAILED', /Authentication failed for user "app" on db.example.com:5432/, /check CONNECTION_URL/],
    [{ code: '3D000', message: 'database "cruddur" does not exist' }, 'DB_UNKNOWN_DATABASE', /Database "cruddur" does not exist/, /cruddur db create/],
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, 'DB_UNREACHABLE', /connection refused/, /unset it to use the local embedded server/],
    [{ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND' }, 'DB_UNREACHABLE', /host "db.example.com" not found/, /host name/],
    [{ message: 'Connection terminated due to connection timeout' }, 'DB_UNREACHABLE', /timed out after 5s/, /rds update-sg/],
    [{ message: 'self-signed certificate in certificate chain' }, 'DB_TLS', /TLS/, /sslmode/],
    [{ message: 'The server does not support SSL connections' }, 'DB_TLS', /^TLS to db.example.com:5432 failed/, /sslmode=prefer/],
    [{ code: '28000', message: 'no pg_hba.conf entry for host "127.0.0.1", user "app", database "cruddur", no encryption' }, 'DB_TLS_REQUIRED', /requires TLS/, /sslmode=require/],
    [{ code: '28000', message: 'no pg_hba.conf entry for host "10.0.0.1", user "app", database "cruddur", SSL encryption' }, 'DB_REJECTED', /refused this client/, /pg_hba\.conf/],
    [{ code: 'SELF_SIGNED_CERT_IN_CHAIN', message: 'self-signed certificate in certificate chain' }, 'DB_TLS_CERT', /not signed by the root certificate/, /sslrootcert/],
    [{ code: 'ERR_TLS_CERT_ALTNAME_INVALID', message: "Hostname/IP does not match certificate's altnames" }, 'DB_TLS_CERT', /does not name this host/, /verify-ca/],
    [{ code: '55006', message: 'database "cruddur" is being accessed by other users' }, 'DB_IN_USE', /^Database "cruddur" is being accessed/, /--force/],
    [{ code: '42601', message: 'syntax error at or near "x"' }, 'DB_ERROR', /syntax error .*\(42601\)/, /DEBUG/],
  ])('%o -> %s', (error, code, message, suggestion) => {
    const mapped = fromPgError(error, target, 5000);
    expect(mapped.code).toBe(code);
    expect(mapped.message).toMatch(message);
    expect(mapped.suggestion).toMatch(suggestion);
    expect(`${mapped.message} ${mapped.suggestion}`).not.toContain('s3cretPassw0rd');
    expect(mapped.message).not.toContain('\n');
  });
});
