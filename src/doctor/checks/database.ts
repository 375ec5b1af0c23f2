import { fail, ok, skip, type Check, type CheckOutcome, type DoctorContext } from '../types.js';

/** host:port/database of a connection URL: what is safe and useful to show (no user, no password). */
export function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname && u.pathname !== '/' ? u.pathname : '/'}`;
  } catch {
    return '(unparsable URL)';
  }
}

/** Connects to CONNECTION_URL with a short timeout and asks the server version. */
export async function databaseOutcome(ctx: Pick<DoctorContext, 'env' | 'timeoutMs'>): Promise<CheckOutcome> {
  const url = ctx.env.CONNECTION_URL?.trim();
  if (!url) return skip('CONNECTION_URL is not set (db commands use the local embedded database)', 'set CONNECTION_URL, or run `cruddur local up` for the local stack');
  const where = describeDatabaseUrl(url);
  const { default: pg } = await import('pg');
  const timeout = Math.max(500, Math.min(ctx.timeoutMs - 250, 5000));
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeout, query_timeout: timeout });
  // A failed connection also emits 'error'; without a listener it would crash the process.
  client.on('error', () => {});
  try {
    await client.connect();
    const { rows } = await client.query<{ version: string }>("SELECT current_setting('server_version') AS version");
    return ok(`${where} reachable (PostgreSQL ${rows[0]?.version ?? '?'})`);
  } catch (error) {
    const e = error as { code?: string; message?: string; severity?: string };
    // Server errors carry a SQLSTATE (28P01: bad password, 3D000: no such database).
    const reason = e.severity && e.code ? `${e.message ?? ''} (SQLSTATE ${e.code})` : (e.message ?? String(error));
    return fail(`${where} not reachable: ${reason}`, 'check CONNECTION_URL (host, port, user, password, database) and that the server is running and allows this IP');
  } finally {
    await client.end().catch(() => undefined);
  }
}

export const databaseCheck: Check = { id: 'database', title: 'database (CONNECTION_URL)', run: databaseOutcome };
