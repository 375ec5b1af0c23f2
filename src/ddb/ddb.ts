import { BATCH_WRITE_LIMIT, type DynamoItem, type DynamoStore, type TableDefinition, type TableInfo } from '../aws/dynamodb.js';
import { CruddurError } from '../core/errors.js';
import type { Logger } from '../core/output.js';
import { uniqueByKey, type SeedItems } from './items.js';

/** Waiting, as a port: tests pass one that does not wait. */
export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export interface WaitOptions {
  sleep?: Sleep;
  /** How long to wait for a table to become ACTIVE or to go (default 5 minutes: AWS takes seconds to minutes). */
  timeoutMs?: number;
}

/** Polls DescribeTable (200 ms, growing to 2 s) until `done` says so; an error after `timeoutMs`. */
async function waitForTable(store: DynamoStore, name: string, done: (t: TableInfo | undefined) => boolean, what: string, options: WaitOptions): Promise<TableInfo | undefined> {
  const sleep = options.sleep ?? realSleep;
  const timeoutMs = options.timeoutMs ?? 300_000;
  const started = Date.now();
  let delay = 200;
  for (;;) {
    const table = await store.describeTable(name);
    if (done(table)) return table;
    if (Date.now() - started > timeoutMs) {
      throw new CruddurError(`DynamoDB table ${name} did not become ${what} within ${Math.round(timeoutMs / 1000)} s (status ${table?.status ?? 'gone'})`, {
        suggestion: 'check the table in the AWS console or with `cruddur ddb list-tables`, then run again',
        code: 'DDB_TIMEOUT',
      });
    }
    await sleep(delay);
    delay = Math.min(delay * 2, 2_000);
  }
}

export interface SchemaLoadResult {
  table: string;
  /** created: it did not exist; recreated: deleted and created (--recreate); kept: it existed, left as it was. */
  action: 'created' | 'recreated' | 'kept';
  status: string;
  indexes: string[];
  source: string;
  ms: number;
}

/**
 * `ddb schema-load`: creates the table of `definition` and waits until it is ACTIVE. An existing table is
 * kept as it is (its items too) unless `recreate`, which deletes it first and waits until it is gone.
 */
export async function schemaLoad(
  store: DynamoStore,
  loaded: { definition: TableDefinition; source: string },
  options: WaitOptions & { recreate?: boolean },
  logger: Logger,
): Promise<SchemaLoadResult> {
  const started = Date.now();
  const name = loaded.definition.TableName as string;
  const existing = await store.describeTable(name);
  let action: SchemaLoadResult['action'] = 'created';
  if (existing) {
    if (!options.recreate) {
      const active = await waitForTable(store, name, (t) => t?.status === 'ACTIVE', 'ACTIVE', options);
      logger.debug(`table ${name} exists (${active?.status}); kept`);
      return { table: name, action: 'kept', status: active?.status ?? existing.status, indexes: active?.indexes ?? existing.indexes, source: loaded.source, ms: Date.now() - started };
    }
    await waitForTable(store, name, (t) => t?.status !== 'CREATING' && t?.status !== 'UPDATING', 'ready to delete', options);
    await store.deleteTable(name);
    await waitForTable(store, name, (t) => t === undefined, 'deleted', options);
    action = 'recreated';
  }
  try {
    await store.createTable(loaded.definition);
  } catch (error) {
    // Another run created it a moment ago.
    if ((error as { cause?: { name?: string } }).cause?.name !== 'ResourceInUseException') throw error;
  }
  const table = await waitForTable(store, name, (t) => t?.status === 'ACTIVE', 'ACTIVE', options);
  return { table: name, action, status: table?.status ?? 'ACTIVE', indexes: table?.indexes ?? [], source: loaded.source, ms: Date.now() - started };
}

export interface WriteOptions {
  sleep?: Sleep;
  /** Rounds of UnprocessedItems for one batch before giving up (default 10). */
  maxRetries?: number;
  /** First backoff in ms, doubled each round up to 5 s, with jitter (default 50). */
  baseDelayMs?: number;
}

export interface WriteResult {
  written: number;
  batches: number;
  /** BatchWriteItem calls that sent UnprocessedItems back again. */
  retries: number;
}

/**
 * Writes items with BatchWriteItem, 25 at a time, sending `UnprocessedItems` again with exponential
 * backoff and jitter as the DynamoDB developer guide recommends, until none are left or `maxRetries`
 * rounds pass for one batch (then an error saying how many items are not written).
 */
export async function writeItems(store: DynamoStore, table: string, items: DynamoItem[], options: WriteOptions, logger: Logger): Promise<WriteResult> {
  const sleep = options.sleep ?? realSleep;
  const maxRetries = options.maxRetries ?? 10;
  const base = options.baseDelayMs ?? 50;
  let written = 0;
  let batches = 0;
  let retries = 0;
  for (let start = 0; start < items.length; start += BATCH_WRITE_LIMIT) {
    let pending = items.slice(start, start + BATCH_WRITE_LIMIT);
    batches += 1;
    for (let round = 0; ; round += 1) {
      const unprocessed = await store.putBatch(table, pending);
      written += pending.length - unprocessed.length;
      if (unprocessed.length === 0) break;
      if (round >= maxRetries) {
        throw new CruddurError(`DynamoDB left ${unprocessed.length} item(s) of ${table} unprocessed after ${maxRetries} retries (${written} of ${items.length} written)`, {
          suggestion: 'the table is throttled: run the seed again later (it only overwrites), or raise the table\'s write capacity',
          code: 'DDB_UNPROCESSED',
        });
      }
      retries += 1;
      const delay = Math.min(base * 2 ** round, 5_000);
      logger.debug(`${table}: ${unprocessed.length} unprocessed item(s); retrying in about ${delay} ms`);
      await sleep(delay / 2 + Math.random() * (delay / 2));
      pending = unprocessed;
    }
  }
  return { written, batches, retries };
}

export interface SeedTableResult {
  table: string;
  /** Items in the file for this table. */
  items: number;
  /** Items written (the file's items less duplicate keys; a re-run overwrites them). */
  written: number;
  duplicateKeys: number;
  retries: number;
}

export interface SeedResult {
  file: string;
  format: SeedItems['format'];
  tables: SeedTableResult[];
}

/**
 * `ddb seed`: puts every item of the file (PutRequest: an item with the same key is replaced, so a re-run
 * adds nothing). The tables must exist; each table's key comes from DescribeTable.
 */
export async function seedTables(store: DynamoStore, seed: SeedItems, file: string, options: WriteOptions, logger: Logger): Promise<SeedResult> {
  const tables: SeedTableResult[] = [];
  for (const [table, all] of seed.tables) {
    const info = await store.describeTable(table);
    if (!info) {
      throw new CruddurError(`DynamoDB table ${table} (named by ${file}) does not exist`, {
        suggestion: 'create it first with `cruddur ddb schema-load`',
        code: 'DDB_NO_TABLE',
      });
    }
    const { items, duplicates } = uniqueByKey(all, info.key, file, info.attributeTypes);
    if (duplicates > 0) logger.warn(`${file}: ${duplicates} item(s) repeat a key of ${table}; the last one of each is written`);
    const result = await writeItems(store, table, items, options, logger);
    tables.push({ table, items: all.length, written: result.written, duplicateKeys: duplicates, retries: result.retries });
  }
  return { file, format: seed.format, tables };
}

export interface ScanResult {
  table: string;
  count: number;
  items: DynamoItem[];
  /** Set when --limit stopped the scan before the end of the table. */
  truncated: boolean;
}

/** Every item of a table (Scan, all pages), or the first `limit`. */
export async function scanTable(store: DynamoStore, table: string, options: { limit?: number } = {}): Promise<ScanResult> {
  const items: DynamoItem[] = [];
  let start: DynamoItem | undefined;
  do {
    const left = options.limit === undefined ? undefined : options.limit - items.length;
    const page = await store.scanPage(table, { limit: left, start });
    items.push(...page.items);
    start = page.next;
  } while (start && (options.limit === undefined || items.length < options.limit));
  return { table, count: items.length, items, truncated: start !== undefined };
}

export interface DropResult {
  table: string;
  dropped: boolean;
}

/** `ddb drop`: deletes the table and waits until it is gone; a missing table is reported, not an error. */
export async function dropTable(store: DynamoStore, table: string, options: WaitOptions = {}): Promise<DropResult> {
  const existing = await store.describeTable(table);
  if (!existing) return { table, dropped: false };
  await waitForTable(store, table, (t) => t?.status !== 'CREATING' && t?.status !== 'UPDATING', 'ready to delete', options);
  const dropped = await store.deleteTable(table);
  await waitForTable(store, table, (t) => t === undefined, 'deleted', options);
  return { table, dropped };
}

export interface ListedTable {
  name: string;
  status: string;
  /** DescribeTable's ItemCount: an estimate AWS refreshes about every six hours (exact counts: `ddb scan`). */
  items: number;
}

/** `ddb list-tables`: each table with its status and item count (DescribeTable). */
export async function listTables(store: DynamoStore): Promise<ListedTable[]> {
  const names = await store.listTables();
  const out: ListedTable[] = [];
  for (const name of names) {
    const info = await store.describeTable(name);
    if (info) out.push({ name, status: info.status, items: info.itemCount });
  }
  return out;
}
