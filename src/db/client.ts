import type { Client, ClientConfig } from 'pg';
import { onInterrupt } from '../core/interrupt.js';
import type { Logger } from '../core/output.js';
import { chooseUrl, clientConfig, parseTarget, sslModeOf, type DbTarget } from './connection.js';
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
  if (chosen) return parseTarget(chosen.url, chosen.source, options.prod === true);
  const { ensureLocalPostgres } = await import('../local/postgres.js');
  const local = await ensureLocalPostgres(project.root, logger);
  return parseTarget(local.url(), 'local');
}

/**
 * Connects, mapping failures to one line with a fix. `prefer` tries TLS first, then plain, like libpq.
 * `limits` shortens the connect and query timeouts (milliseconds) for a caller with a deadline (`doctor`).
 */
export async function openClient(target: DbTarget, limits: Pick<ClientConfig, 'connectionTimeoutMillis' | 'query_timeout'> = {}): Promise<Client> {
  const { default: pg } = await import('pg');
  const mode = sslModeOf(target);
  const config = { ...clientConfig(target, mode), ...limits };
  const attempt = async (cfg: typeof config) => {
    const client = new pg.Client(cfg);
    // An idle client whose server goes away emits 'error'; without a listener that would crash the process.
    client.on('error', () => {});
    await client.connect();
    cancelOnInterrupt(client, cfg, pg.Client);
    return client;
  };
  try {
    return await attempt(config);
  } catch (error) {
    if ((mode === 'prefer' || mode === 'allow') && /does not support SSL/i.test(String((error as Error).message))) {
      try {
        return await attempt({ ...config, ssl: false });
      } catch (plainError) {
        throw fromPgError(plainError, target, config.connectionTimeoutMillis);
      }
    }
    throw fromPgError(error, target, config.connectionTimeoutMillis);
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
