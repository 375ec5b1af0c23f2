import { execProgram } from '../core/exec.js';
import { clientConfig, tlsSettings, type DbTarget } from './connection.js';

export const PSQL_INSTALL_HINT = 'install the PostgreSQL client: `sudo apt-get install -y postgresql-client` (Debian/Ubuntu), `brew install libpq` (macOS)';

/**
 * libpq environment for a target: the password travels in PGPASSWORD, never on a command line; the TLS settings
 * are the ones cruddur itself uses (tlsSettings), so psql connects the same way (pure apart from reading nothing).
 */
export function psqlEnv(target: DbTarget): Record<string, string> {
  const config = clientConfig(target, false);
  const tls = tlsSettings(target);
  const url = new URL(target.url);
  const file = (f: { path: string } | 'system' | undefined) => (f === undefined ? undefined : f === 'system' ? 'system' : f.path);
  const optional: Record<string, string | undefined> = {
    PGPASSWORD: config.password ? String(config.password) : undefined,
    PGSSLROOTCERT: file(tls.rootCert),
    PGSSLCERT: file(tls.cert),
    PGSSLKEY: file(tls.key),
    PGOPTIONS: url.searchParams.get('options') ?? undefined,
  };
  return {
    PGHOST: target.host,
    PGPORT: String(target.port),
    PGUSER: target.user,
    PGDATABASE: target.database,
    PGSSLMODE: tls.mode,
    PGCONNECT_TIMEOUT: String(Math.ceil(Number(config.connectionTimeoutMillis ?? 5000) / 1000)),
    PGAPPNAME: 'cruddur-psql',
    ...(Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)) as Record<string, string>),
  };
}

/** psql with the terminal inherited; returns psql's exit code. */
export async function runPsql(target: DbTarget, args: string[]): Promise<number> {
  const result = await execProgram('psql', args, { env: psqlEnv(target), inherit: true, installHint: PSQL_INSTALL_HINT });
  return result.exitCode;
}
