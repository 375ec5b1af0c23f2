import { isCruddurError } from '../../core/errors.js';
import { describeDatabaseUrl } from '../settings.js';
import { fail, ok, skip, type Check, type CheckOutcome, type DoctorContext } from '../types.js';

export { describeDatabaseUrl };

/** The driver's code under a CruddurError (a SQLSTATE such as 28P01, or a socket error such as ECONNREFUSED). */
function causeCode(error: Error): string | undefined {
  const cause = error.cause as { code?: unknown; severity?: unknown } | undefined;
  if (typeof cause?.code !== 'string') return undefined;
  return cause.severity ? `SQLSTATE ${cause.code}` : cause.code;
}

/**
 * Connects to the resolved CONNECTION_URL exactly as the db commands do (the db module's URL parsing,
 * `sslmode` handling and connection config, src/db/connection.ts) with a short timeout, and asks the
 * server version.
 */
export async function databaseOutcome(ctx: Pick<DoctorContext, 'settings' | 'timeoutMs'>): Promise<CheckOutcome> {
  const url = ctx.settings.connectionUrl?.value.trim();
  if (!url) return skip('CONNECTION_URL is not set (db commands use the local embedded database)', 'set CONNECTION_URL, or run `cruddur local up` for the local stack');
  const where = describeDatabaseUrl(url);
  const fix = 'check CONNECTION_URL (host, port, user, password, database, sslmode) and that the server is running and allows this IP';
  const [{ parseTarget }, { openClient }] = await Promise.all([import('../../db/connection.js'), import('../../db/client.js')]);
  const timeout = Math.max(500, Math.min(ctx.timeoutMs - 250, 5000));
  try {
    const target = parseTarget(url, 'CONNECTION_URL');
    const client = await openClient(target, { connectionTimeoutMillis: timeout, query_timeout: timeout });
    try {
      const { rows } = await client.query<{ version: string }>("SELECT current_setting('server_version') AS version");
      return ok(`${where} reachable (PostgreSQL ${rows[0]?.version ?? '?'})`);
    } finally {
      await client.end().catch(() => undefined);
    }
  } catch (error) {
    if (!isCruddurError(error)) {
      const e = error as { code?: string; message?: string };
      return fail(`${where} not reachable: ${e.message ?? String(error)}${e.code ? ` (${e.code})` : ''}`, fix);
    }
    const code = causeCode(error);
    return fail(`${where} not reachable: ${error.message}${code ? ` (${code})` : ''}`, error.suggestion ?? fix);
  }
}

export const databaseCheck: Check = { id: 'database', title: 'database (CONNECTION_URL)', run: databaseOutcome };
