import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ClientConfig } from 'pg';
import { CruddurError } from '../core/errors.js';
import { redactUrl, redactor } from '../core/redact.js';

/** Where a connection URL came from; named in errors so the user knows what to fix. */
export type UrlSource = '--url' | 'CONNECTION_URL' | 'PROD_CONNECTION_URL' | 'PRD_CONNECTION_URL' | 'local';

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
  /** libpq's TLS environment variables and HOME as they were when the target was resolved (see tlsSettings). */
  libpqEnv?: LibpqEnv;
}

/** The environment libpq reads for TLS: PGSSLMODE, PGSSLROOTCERT, PGSSLCERT, PGSSLKEY, and HOME for ~/.postgresql. */
export type LibpqEnv = Partial<Record<'PGSSLMODE' | 'PGSSLROOTCERT' | 'PGSSLCERT' | 'PGSSLKEY' | 'HOME', string>>;

/** Picks libpq's TLS variables out of an environment (pure). */
export function libpqEnvOf(env: Readonly<Record<string, string | undefined>>): LibpqEnv {
  const out: LibpqEnv = {};
  for (const key of ['PGSSLMODE', 'PGSSLROOTCERT', 'PGSSLCERT', 'PGSSLKEY', 'HOME'] as const) {
    const value = env[key];
    if (value) out[key] = value;
  }
  return out;
}

export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';
const SSL_MODES: readonly SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

export interface ResolveInput {
  env: Readonly<Record<string, string | undefined>>;
  prod?: boolean;
  url?: string;
}

/**
 * Which URL applies (pure): --url, then --prod's PROD_CONNECTION_URL (else PRD_CONNECTION_URL, the bootcamp's week 4
 * name), then CONNECTION_URL; undefined means the local default.
 */
export function chooseUrl(input: ResolveInput): { url: string; source: UrlSource } | undefined {
  if (input.url) return { url: input.url, source: '--url' };
  if (input.prod) {
    if (!input.env.PROD_CONNECTION_URL && input.env.PRD_CONNECTION_URL) return { url: input.env.PRD_CONNECTION_URL, source: 'PRD_CONNECTION_URL' };
    const url = input.env.PROD_CONNECTION_URL;
    if (!url) {
      throw new CruddurError('PROD_CONNECTION_URL is not set (nor PRD_CONNECTION_URL; needed for --prod)', {
        suggestion: 'set PROD_CONNECTION_URL=postgresql://user:password@host:5432/cruddur in the environment or .env',
        code: 'DB_NO_PROD_URL',
      });
    }
    return { url, source: 'PROD_CONNECTION_URL' };
  }
  const url = input.env.CONNECTION_URL;
  return url ? { url, source: 'CONNECTION_URL' } : undefined;
}

/**
 * libpq's percent-decoding of a URL part (conninfo_uri_decode): `%` must be followed by two hex digits and may not
 * encode a zero byte; the bytes are UTF-8. Throws the malformed-URL error naming the part (never its value).
 */
export function decodeUriPart(value: string, part: string, source: UrlSource): string {
  if (!value.includes('%')) return value;
  const bad = /%(?![0-9A-Fa-f]{2})|%00/.exec(value);
  if (bad) {
    throw malformed(
      source,
      bad[0] === '%00' ? `the ${part} contains %00 (a zero byte), which libpq refuses` : `the ${part} has a "%" that is not followed by two hex digits (write % as %25)`,
    );
  }
  try {
    return decodeURIComponent(value);
  } catch {
    throw malformed(source, `the ${part} has percent-encoded bytes that are not UTF-8`);
  }
}

/** Parses a postgres URL into a target; a malformed one is an error that never echoes the value. */
export function parseTarget(given: string, source: UrlSource, prod = false, env: LibpqEnv = libpqEnvOf(process.env)): DbTarget {
  let parsed: URL;
  let url = given;
  try {
    parsed = new URL(url);
  } catch {
    // libpq takes a raw space in a URL literally (psql connects with `postgresql://u:p%40ss w0rd@host/db`);
    // a WHATWG URL refuses it, so it is read as the %20 it means.
    const spaced = / /.test(url) ? (() => {
      try {
        return new URL(url.replace(/ /g, '%20'));
      } catch {
        return undefined;
      }
    })() : undefined;
    if (!spaced) throw malformed(source, /(@|:\/\/)\[/.test(url) ? 'the bracketed IPv6 host is not valid' : 'it is not a valid URL (characters such as @ : / # in the password must be percent-encoded: @ as %40)');
    parsed = spaced;
    url = url.replace(/ /g, '%20');
  }
  // libpq reads the URL's query parameters after its user:password and lets them win (`?password=`, `?user=`).
  const password = parsed.searchParams.get('password') ?? decodeUriPart(parsed.password, 'password', source);
  // The local server's fixed password is not a secret (and redacting "postgres" would blank every mention).
  if (password && source !== 'local') redactor.add(password);
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw malformed(source, `the scheme is "${parsed.protocol.replace(/:$/, '')}", not postgresql`);
  }
  if (!parsed.hostname) throw malformed(source, 'it has no host');
  const database = decodeUriPart(parsed.pathname.replace(/^\//, ''), 'database name', source);
  if (!database || database.includes('/')) throw malformed(source, 'it names no database (the path after the host, e.g. /cruddur)');
  const port = parsed.port ? Number(parsed.port) : 5432;
  const sslmode = parsed.searchParams.get('sslmode');
  if (sslmode !== null && !(SSL_MODES as readonly string[]).includes(sslmode)) {
    throw malformed(source, `sslmode=${sslmode} is not one of ${SSL_MODES.join(', ')}`);
  }
  if (source !== 'local' && env.PGSSLMODE && !(SSL_MODES as readonly string[]).includes(env.PGSSLMODE)) {
    throw new CruddurError(`PGSSLMODE=${env.PGSSLMODE} is not one of ${SSL_MODES.join(', ')}`, { suggestion: 'fix or unset PGSSLMODE', code: 'DB_BAD_URL' });
  }
  return {
    url,
    source,
    database,
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port,
    user: parsed.searchParams.get('user') || decodeUriPart(parsed.username, 'user name', source) || 'postgres',
    display: redactUrl(url),
    prod,
    // The local embedded server is ours: the user's PGSSL* settings are for their servers.
    libpqEnv: source === 'local' ? {} : env,
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


/** Where a TLS file setting came from, for errors: the URL parameter, the variable, or libpq's default path. */
export interface TlsFile {
  path: string;
  from: string;
}

/**
 * TLS as libpq resolves it (libpq docs "SSL Support", fe-secure-openssl.c initialize_SSL):
 * - sslmode: the URL's, else PGSSLMODE, else `verify-full` with sslrootcert=system, else `prefer` on every host;
 * - root certificate: sslrootcert (a file, or `system` for the trusted roots), else PGSSLROOTCERT, else
 *   ~/.postgresql/root.crt when it exists. When there is one, the server's chain is verified in every mode
 *   that uses TLS (so `require` then acts as `verify-ca`); verify-ca/verify-full without one is an error;
 * - client certificate: sslcert/sslkey, else PGSSLCERT/PGSSLKEY, else ~/.postgresql/postgresql.crt/.key when they exist.
 * Throws a CruddurError naming the parameter when a file it needs is missing.
 */
export function tlsSettings(target: DbTarget): { mode: SslMode; rootCert?: TlsFile | 'system'; cert?: TlsFile; key?: TlsFile } {
  const params = new URL(target.url).searchParams;
  const env = target.libpqEnv ?? {};
  const home = env.HOME ?? homedir();
  const pick = (param: string, variable: keyof LibpqEnv, fallback: string): TlsFile | undefined => {
    const fromUrl = params.get(param);
    if (fromUrl) return { path: fromUrl, from: `${param} in the URL` };
    const fromEnv = env[variable];
    if (fromEnv) return { path: fromEnv, from: variable };
    const path = join(home, '.postgresql', fallback);
    return existsSync(path) ? { path, from: `libpq's default ${path}` } : undefined;
  };
  const root = pick('sslrootcert', 'PGSSLROOTCERT', 'root.crt');
  const rootCert = root?.path === 'system' ? 'system' : root;
  const mode = ((params.get('sslmode') ?? env.PGSSLMODE) as SslMode | null) ?? (rootCert === 'system' ? 'verify-full' : 'prefer');
  if (rootCert === 'system' && mode !== 'verify-full' && mode !== 'disable') {
    throw new CruddurError(`sslrootcert=system needs sslmode=verify-full (it is ${mode})`, {
      suggestion: 'use sslmode=verify-full with sslrootcert=system, as libpq requires',
      code: 'DB_TLS_CONFIG',
    });
  }
  if (mode !== 'disable' && rootCert && rootCert !== 'system' && !existsSync(rootCert.path)) {
    if (mode.startsWith('verify-') || !rootCert.from.startsWith('libpq')) {
      throw new CruddurError(`The root certificate file ${rootCert.path} (${rootCert.from}) does not exist`, {
        suggestion: 'point sslrootcert at the CA bundle that signed the server (RDS: the region bundle), or use sslrootcert=system',
        code: 'DB_TLS_CONFIG',
      });
    }
  }
  if (mode.startsWith('verify-') && !rootCert) {
    throw new CruddurError(`sslmode=${mode} needs a root certificate, and ${join(home, '.postgresql', 'root.crt')} does not exist`, {
      suggestion: 'add sslrootcert=<CA bundle file> to the URL (or sslrootcert=system for the trusted roots), or use sslmode=require to skip verification',
      code: 'DB_TLS_CONFIG',
    });
  }
  const cert = pick('sslcert', 'PGSSLCERT', 'postgresql.crt');
  const key = pick('sslkey', 'PGSSLKEY', 'postgresql.key');
  for (const [file, name] of [[cert, 'client certificate'], [key, 'client key']] as const) {
    if (mode !== 'disable' && file && !existsSync(file.path)) {
      throw new CruddurError(`The ${name} file ${file.path} (${file.from}) does not exist`, { suggestion: `fix the path or remove the setting`, code: 'DB_TLS_CONFIG' });
    }
  }
  return { mode, rootCert, cert, key };
}

/** The sslmode in effect (see tlsSettings): libpq's default `prefer` on every host, loopback included. */
export function sslModeOf(target: DbTarget): SslMode {
  return tlsSettings(target).mode;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

/**
 * node-postgres options for one connection attempt with (`tls: true`) or without TLS, honouring libpq's meanings
 * (pg alone treats require as verify-full): with a root certificate the chain is verified (and the host name
 * too with verify-full); without one, TLS is not verified. `connect_timeout` (seconds) is honoured, else a
 * short default so an unreachable host fails fast; `options` is passed on.
 */
export function clientConfig(target: DbTarget, tls: boolean = sslModeOf(target) !== 'disable' && sslModeOf(target) !== 'allow'): ClientConfig {
  const url = new URL(target.url);
  const params = url.searchParams;
  const timeoutSeconds = Number(params.get('connect_timeout'));
  let ssl: ClientConfig['ssl'] = false;
  if (tls) {
    const settings = tlsSettings(target);
    const files = {
      ...(settings.cert ? { cert: readFileSync(settings.cert.path, 'utf8') } : {}),
      ...(settings.key ? { key: readFileSync(settings.key.path, 'utf8') } : {}),
    };
    if (!settings.rootCert) ssl = { rejectUnauthorized: false, ...files };
    else {
      const ca = settings.rootCert === 'system' ? undefined : readFileSync(settings.rootCert.path, 'utf8');
      ssl = settings.mode === 'verify-full' ? { rejectUnauthorized: true, ca, ...files } : { rejectUnauthorized: true, ca, checkServerIdentity: () => undefined, ...files };
    }
  }
  return {
    host: target.host,
    port: target.port,
    user: target.user,
    password: params.get('password') ?? decodeUriPart(url.password, 'password', target.source),
    database: target.database,
    ssl,
    connectionTimeoutMillis: timeoutSeconds > 0 ? timeoutSeconds * 1000 : DEFAULT_CONNECT_TIMEOUT_MS,
    application_name: params.get('application_name') ?? 'cruddur',
    ...(params.get('options') ? { options: params.get('options') as string } : {}),
  };
}
