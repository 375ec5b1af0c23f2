import type { Client, ClientConfig } from 'pg';
import { onInterrupt } from '../core/interrupt.js';
import { loadPg } from '../core/pg.js';
import type { Logger } from '../core/output.js';
import { chooseUrl, clientConfig, libpqEnvOf, parseTarget, tlsSettings, type DbTarget } from './connection.js';
import { fromPgError } from './errors.js';

export interface TargetOptions {
  prod?: boolean;
  url?: string;
}

/**
 * The database a command works on: --url, --prod (PROD_CONNECTION_URL), CONNECTION_URL, or else the
 * project's embedded PostgreSQL, started on demand (never for --prod).
 */
export async function resolveDbTarget(
  project: { root: string; env: Readonly<Record<string, string | undefined>> },
  options: TargetOptions,
  logger: Logger,
): Promise<DbTarget> {
  const chosen = chooseUrl({ env: project.env, prod: options.prod, url: options.url });
  if (chosen) return parseTarget(chosen.url, chosen.source, options.prod === true, libpqEnvOf({ ...process.env, ...project.env }));
  const { ensureLocalPostgres } = await import('../local/postgres.js');
  const local = await ensureLocalPostgres(project.root, logger);
  return parseTarget(local.url(), 'local');
}

/** The server turned the connection away for want of TLS (pg_hba.conf has only `hostssl` lines for it). */
function refusedForNoTls(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === '28000' && /no encryption/i.test(String(e.message));
}

/** The attempt failed before PostgreSQL answered as a server: a TLS handshake or certificate failure. */
function tlsFailure(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return !/^[0-9A-Z]{5}$/.test(e?.code ?? '') && /SSL|TLS|certificate|self.signed|altname|issuer/i.test(String(e?.message));
}

/**
 * Connects as libpq does (fe-connect.c), mapping failures to one line with a fix:
 * - disable: plain; require/verify-*: TLS only;
 * - prefer (the default, loopback included): TLS first; when the TLS attempt fails (no TLS on the server, a
 *   certificate that fails, or the server turns it away) libpq tries again without TLS;
 * - allow: plain first; when the server turns that away, again with TLS.
 * `limits` shortens the connect and query timeouts (milliseconds) for a caller with a deadline (`doctor`).
 */
export async function openClient(target: DbTarget, limits: Pick<ClientConfig, 'connectionTimeoutMillis' | 'query_timeout'> = {}): Promise<Client> {
  const pg = loadPg();
  let mode;
  try {
    mode = tlsSettings(target).mode;
  } catch (error) {
    throw fromPgError(error, target);
  }
  const secure = mode === 'disable' ? undefined : { ...clientConfig(target, true), ...limits };
  const plain = { ...clientConfig(target, false), ...limits };
  const attempt = async (cfg: ClientConfig) => {
    const client = new pg.Client(cfg);
    // An idle client whose server goes away emits 'error'; without a listener that would crash the process.
    client.on('error', () => {});
    await client.connect();
    cancelOnInterrupt(client, cfg, pg.Client);
    return client;
  };
  const timeout = plain.connectionTimeoutMillis;
  const serverAnswered = (error: unknown) => /^[0-9A-Z]{5}$/.test((error as { code?: string })?.code ?? '');
  if (mode === 'disable' || !secure) return attempt(plain).catch((error: unknown) => Promise.reject(fromPgError(error, target, timeout)));
  if (mode === 'allow') {
    try {
      return await attempt(plain);
    } catch (error) {
      if (!serverAnswered(error)) throw fromPgError(error, target, timeout);
      return attempt(secure).catch((tlsError: unknown) => Promise.reject(fromPgError(tlsError, target, timeout)));
    }
  }
  if (mode !== 'prefer') return attempt(secure).catch((error: unknown) => Promise.reject(fromPgError(error, target, timeout)));
  try {
    return await attempt(secure);
  } catch (error) {
    if (!serverAnswered(error) && !tlsFailure(error) && !/does not support SSL/i.test(String((error as Error).message))) throw fromPgError(error, target, timeout);
    try {
      return await attempt(plain);
    } catch (plainError) {
      // Both failed: when the plain attempt was turned away for want of TLS, the TLS attempt's reason is the real one.
      throw fromPgError(refusedForNoTls(plainError) && (tlsFailure(error) || serverAnswered(error)) ? error : plainError, target, timeout);
    }
  }
}

/**
 * On Ctrl-C the process exits at once, but PostgreSQL only notices a vanished client when it next reads from
 * it: a long statement (a migration's backfill) would keep running, holding its locks and the migration lock.
 * So an interrupt first cancels whatever this connection is running (from a second connection); the open
 * transaction then rolls back when the socket closes.
 */
function cancelOnInterrupt(client: Client, config: ClientConfig, ClientClass: new (config: ClientConfig) => Client): void {
  const forget = onInterrupt(async () => {
    // Sent by the server in BackendKeyData at connect; not in @types/pg.
    const pid = (client as unknown as { processID?: number }).processID;
    if (!pid) return;
    const canceller = new ClientClass({ ...config, connectionTimeoutMillis: 3000 });
    canceller.on('error', () => {});
    try {
      await canceller.connect();
      await canceller.query('SELECT pg_cancel_backend($1)', [pid]);
    } finally {
      await canceller.end().catch(() => {});
    }
  });
  client.once('end', forget);
}

/** Runs `work` with a connected client and always closes it. */
export async function withClient<T>(target: DbTarget, work: (client: Client) => Promise<T>): Promise<T> {
  const client = await openClient(target);
  try {
    return await work(client);
  } catch (error) {
    throw fromPgError(error, target);
  } finally {
    await client.end().catch(() => {});
  }
}

/** A quoted identifier ("my""db"), for names that cannot be bound as parameters. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
