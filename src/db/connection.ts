import { readFileSync } from 'node:fs';
import type { ClientConfig } from 'pg';
import { CruddurError } from '../core/errors.js';
import { redactUrl, redactor } from '../core/redact.js';

/** Where a connection URL came from; named in errors so the user knows what to fix. */
export type UrlSource = '--url' | 'CONNECTION_URL' | 'PROD_CONNECTION_URL' | 'local';

/** A database to talk to, parsed once at the boundary. `url` holds the password: print `display`. */
export interface DbTarget {
  url: string;
  source: UrlSource;
  database: string;
  host: string;
  port: number;
  user: string;
  /** The URL with the password replaced, safe to print. */
  display: string;
  prod: boolean;
}

export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';
const SSL_MODES: readonly SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

export interface ResolveInput {
  env: Readonly<Record<string, string | undefined>>;
  prod?: boolean;
  url?: string;
}

/** Which URL applies (pure): --url, then --prod's PROD_CONNECTION_URL, then CONNECTION_URL; undefined means the local default. */
export function chooseUrl(input: ResolveInput): { url: string; source: UrlSource } | undefined {
  if (input.url) return { url: input.url, source: '--url' };
  if (input.prod) {
    const url = input.env.PROD_CONNECTION_URL;
    if (!url) {
      throw new CruddurError('PROD_CONNECTION_URL is not set (needed for --prod)', {
        suggestion: 'set PROD_CONNECTION_URL=postgresql://user:password@host:5432/cruddur in the environment or .env',
        code: 'DB_NO_PROD_URL',
      });
    }
    return { url, source: 'PROD_CONNECTION_URL' };
  }
  const url = input.env.CONNECTION_URL;
  return url ? { url, source: 'CONNECTION_URL' } : undefined;
}

/** Parses a postgres URL into a target; a malformed one is an error that never echoes the value. */
export function parseTarget(url: string, source: UrlSource, prod = false): DbTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw malformed(source, 'it is not a valid URL');
  }
  // The local server's fixed password is not a secret (and redacting "postgres" would blank every mention).
  if (parsed.password && source !== 'local') redactor.add(decodeURIComponent(parsed.password));
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw malformed(source, `the scheme is "${parsed.protocol.replace(/:$/, '')}", not postgresql`);
  }
  if (!parsed.hostname) throw malformed(source, 'it has no host');
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!database || database.includes('/')) throw malformed(source, 'it names no database (the path after the host, e.g. /cruddur)');
  const port = parsed.port ? Number(parsed.port) : 5432;
  const sslmode = parsed.searchParams.get('sslmode');
  if (sslmode !== null && !(SSL_MODES as readonly string[]).includes(sslmode)) {
    throw malformed(source, `sslmode=${sslmode} is not one of ${SSL_MODES.join(', ')}`);
  }
  return {
    url,
    source,
    database,
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port,
    user: decodeURIComponent(parsed.username) || 'postgres',
    display: redactUrl(url),
    prod,
  };
}

function malformed(source: UrlSource, problem: string): CruddurError {
  const where = source === '--url' ? 'The --url value' : source;
  return new CruddurError(`${where} is malformed: ${problem}`, {
    suggestion: 'use the form postgresql://user@host:5432/database with `:password` after the user name (URL-encode special characters)',
    code: 'DB_BAD_URL',
  });
}

/** The same server's `postgres` maintenance database, for CREATE/DROP DATABASE (URL API, no string surgery). */
export function maintenanceTarget(target: DbTarget, database = 'postgres'): DbTarget {
  const url = new URL(target.url);
  url.pathname = `/${encodeURIComponent(database)}`;
  return { ...target, url: url.toString(), database, display: redactUrl(url.toString()) };
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|::1)$/;

/** The sslmode in effect: the URL's, else libpq's default `prefer` (loopback treated as `disable`). */
export function sslModeOf(target: DbTarget): SslMode {
  const mode = new URL(target.url).searchParams.get('sslmode') as SslMode | null;
  if (mode) return mode;
  return LOOPBACK.test(target.host) ? 'disable' : 'prefer';
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

/**
 * node-postgres options honouring libpq's sslmode meanings (pg alone treats require as verify-full):
 * disable/allow: no TLS; prefer/require: TLS without verification; verify-ca: CA only; verify-full: CA and host.
 * `connect_timeout` (seconds) is honoured, else a short default so an unreachable host fails fast.
 */
export function clientConfig(target: DbTarget, mode: SslMode = sslModeOf(target)): ClientConfig {
  const url = new URL(target.url);
  const params = url.searchParams;
  const timeoutSeconds = Number(params.get('connect_timeout'));
  const rootCert = params.get('sslrootcert');
  const ca = rootCert && rootCert !== 'system' ? readFileSync(rootCert, 'utf8') : undefined;
  let ssl: ClientConfig['ssl'] = false;
  if (mode === 'prefer' || mode === 'require') ssl = { rejectUnauthorized: false };
  if (mode === 'verify-ca') ssl = { rejectUnauthorized: true, ca, checkServerIdentity: () => undefined };
  if (mode === 'verify-full') ssl = { rejectUnauthorized: true, ca };
  return {
    host: target.host,
    port: target.port,
    user: target.user,
    password: decodeURIComponent(url.password),
    database: target.database,
    ssl,
    connectionTimeoutMillis: timeoutSeconds > 0 ? timeoutSeconds * 1000 : DEFAULT_CONNECT_TIMEOUT_MS,
    application_name: params.get('application_name') ?? 'cruddur',
  };
}
