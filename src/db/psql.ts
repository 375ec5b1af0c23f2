import { execProgram } from '../core/exec.js';
import { clientConfig, sslModeOf, type DbTarget } from './connection.js';

export const PSQL_INSTALL_HINT = 'install the PostgreSQL client: `sudo apt-get install -y postgresql-client` (Debian/Ubuntu), `brew install libpq` (macOS)';

/** libpq environment for a target: the password travels in PGPASSWORD, never on a command line (pure). */
export function psqlEnv(target: DbTarget): Record<string, string> {
  const config = clientConfig(target, sslModeOf(target));
  const url = new URL(target.url);
  return {
    PGHOST: target.host,
    PGPORT: String(target.port),
    PGUSER: target.user,
    PGDATABASE: target.database,
    ...(config.password ? { PGPASSWORD: String(config.password) } : {}),
    PGSSLMODE: url.searchParams.get('sslmode') ?? (sslModeOf(target) === 'disable' ? 'disable' : 'prefer'),
    PGCONNECT_TIMEOUT: String(Math.ceil(Number(config.connectionTimeoutMillis ?? 5000) / 1000)),
    PGAPPNAME: 'cruddur-psql',
    ...(url.searchParams.get('sslrootcert') ? { PGSSLROOTCERT: url.searchParams.get('sslrootcert') as string } : {}),
  };
}

/** psql with the terminal inherited; returns psql's exit code. */
export async function runPsql(target: DbTarget, args: string[]): Promise<number> {
  const result = await execProgram('psql', args, { env: psqlEnv(target), inherit: true, installHint: PSQL_INSTALL_HINT });
  return result.exitCode;
}
