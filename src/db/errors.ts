import { CruddurError, firstLine } from '../core/errors.js';
import type { DbTarget } from './connection.js';

interface PgErrorShape {
  code?: string;
  message?: string;
  errno?: number;
  syscall?: string;
}

function where(target: DbTarget): string {
  return `${target.host}:${target.port}`;
}

function fixUrl(target: DbTarget): string {
  if (target.source === 'local') return 'reset the local server with `cruddur local down --purge` (its data is deleted)';
  return `check ${target.source === '--url' ? 'the --url value' : target.source}`;
}

/** Maps a connection or query failure to one line and a fix (pure: table-tested). */
export function fromPgError(error: unknown, target: DbTarget, timeoutMs?: number): CruddurError {
  if (error instanceof CruddurError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as PgErrorShape;
  const message = firstLine(e.message ?? String(error));
  const make = (text: string, suggestion: string, code: string) => new CruddurError(text, { suggestion, code, cause: error });
  if (e.code === '28000' && /no encryption/i.test(message)) {
    return make(
      `The server at ${where(target)} requires TLS: pg_hba.conf accepts no unencrypted connection from this client`,
      `${fixUrl(target)}: remove sslmode=disable (libpq's default prefer tries TLS first) or set sslmode=require`,
      'DB_TLS_REQUIRED',
    );
  }
  if (e.code === '28000' && /no pg_hba\.conf entry/i.test(message)) {
    return make(`The server at ${where(target)} refused this client: ${message}`, 'allow this address and user in pg_hba.conf / the security group', 'DB_REJECTED');
  }
  const certificate = tlsCertificateProblem(e);
  if (certificate) return make(`TLS to ${where(target)} failed: ${certificate}`, certificateFix(e), 'DB_TLS_CERT');
  switch (e.code) {
    case '28P01':
    case '28000':
      return make(
        `Authentication failed for user "${target.user}" on ${where(target)}: ${message}`,
        `${fixUrl(target)}: the user name and password must match the server's`,
        'DB_AUTH_FAILED',
      );
    case '3D000':
      return make(
        `Database "${target.database}" does not exist on ${where(target)}`,
        `create it with \`cruddur db create${target.prod ? ' --prod' : ''}\` (or \`cruddur db setup\`), or ${fixUrl(target)}`,
        'DB_UNKNOWN_DATABASE',
      );
    case '42P04':
      return make(`Database "${target.database}" already exists on ${where(target)}`, 'drop it first with `cruddur db drop`, or use it as it is', 'DB_EXISTS');
    case '55006':
      return make(`${message.replace(/^./, (c) => c.toUpperCase())}`, 'list them with `cruddur db sessions`, or pass --force to terminate them', 'DB_IN_USE');
    case '53300':
      return make(`Too many connections to ${where(target)}`, 'close other sessions (`cruddur db sessions`, `cruddur db kill-all`)', 'DB_TOO_MANY');
    case '57P03':
      return make(`The server at ${where(target)} is starting up or shutting down`, 'wait a moment and run again', 'DB_NOT_READY');
    case 'ECONNREFUSED':
      return make(
        `Could not connect to PostgreSQL at ${where(target)}: connection refused`,
        `start the server, ${fixUrl(target)}${target.source === 'CONNECTION_URL' ? ', or unset it to use the local embedded server' : ''}`,
        'DB_UNREACHABLE',
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return make(`Could not connect to PostgreSQL: host "${target.host}" not found`, `${fixUrl(target)}: the host name is wrong or DNS is down`, 'DB_UNREACHABLE');
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return timedOut(target, timeoutMs, error);
    default:
      break;
  }
  if (/timeout expired|connection timeout|timed out/i.test(message)) return timedOut(target, timeoutMs, error);
  if (/does not support SSL/i.test(message)) {
    return make(`TLS to ${where(target)} failed: ${message}`, 'this server has no TLS: use sslmode=prefer (or disable) in the URL', 'DB_TLS');
  }
  if (/self.signed|certificate|SSL|TLS/i.test(message)) {
    return make(`TLS to ${where(target)} failed: ${message}`, 'set sslmode in the URL (require to skip verification, verify-full with sslrootcert=<ca file>)', 'DB_TLS');
  }
  return make(`PostgreSQL error: ${message}${e.code ? ` (${e.code})` : ''}`, 'run again with DEBUG=cruddur* for details', 'DB_ERROR');
}

const CHAIN_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
]);

/** Which certificate check failed (Node's TLS error codes), in words; undefined when it is not a certificate failure. */
function tlsCertificateProblem(e: PgErrorShape & { host?: string }): string | undefined {
  if (e.code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `the server certificate does not name this host (verify-full checks the host name): ${firstLine(e.message ?? '')}`;
  if (e.code && CHAIN_CODES.has(e.code)) return `the server certificate is not signed by the root certificate (the chain check failed: ${firstLine(e.message ?? '')})`;
  if (e.code === 'CERT_HAS_EXPIRED' || e.code === 'CERT_NOT_YET_VALID') return `the server certificate is not valid now (${firstLine(e.message ?? '')})`;
  return undefined;
}

function certificateFix(e: PgErrorShape): string {
  if (e.code === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'connect with the host name the certificate names, or use sslmode=verify-ca (chain only)';
  return 'point sslrootcert (or PGSSLROOTCERT, ~/.postgresql/root.crt) at the CA bundle that signed the server (RDS: the region bundle)';
}

function timedOut(target: DbTarget, timeoutMs: number | undefined, cause: unknown): CruddurError {
  const after = timeoutMs ? ` after ${Math.round(timeoutMs / 100) / 10}s` : '';
  return new CruddurError(`Could not connect to PostgreSQL at ${where(target)}: timed out${after}`, {
    suggestion: `${fixUrl(target)}; for RDS allow your IP with \`cruddur rds update-sg\` (connect_timeout=<seconds> in the URL waits longer)`,
    code: 'DB_UNREACHABLE',
    cause,
  });
}
