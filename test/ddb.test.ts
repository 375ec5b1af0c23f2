// `ddb` service against dynalite (DynamoDB's wire API): schema-load, seed, a Query on the global index,
// scan, drop, and 1,000 items through a proxy that answers some batches with UnprocessedItems.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsClients, resolveAwsSettings } from '../src/aws/clients.js';
import { createDynamoStore, type DynamoStore } from '../src/aws/dynamodb.js';
import { silentLogger } from '../src/core/output.js';
import { dropTable, listTables, scanTable, schemaLoad, seedTables, writeItems } from '../src/ddb/ddb.js';
import { DEFAULT_TABLE_DEFINITION } from '../src/ddb/definition.js';
import { marshalItem, parseSeed, unmarshalItem } from '../src/ddb/items.js';
import { startLocalDynamo, type LocalDynamoHandle } from '../src/local/dynamodb.js';
import { DdbFaultProxy } from './support/ddb-fault-proxy.js';
import { FIXTURE_APP } from './support/tmp.js';

const noWait = async () => {};
const clientsFor = (endpoint: string) =>
  new AwsClients(resolveAwsSettings({ env: { AWS_ENDPOINT_URL_DYNAMODB: endpoint, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_REGION: 'us-east-1' } }));
const loaded = { definition: DEFAULT_TABLE_DEFINITION, source: 'built-in' };
const TABLE = 'cruddur-messages';

describe('ddb against dynalite', () => {
  let dynamo: LocalDynamoHandle;
  let aws: AwsClients;
  let store: DynamoStore;

  beforeAll(async () => {
    dynamo = await startLocalDynamo({ tableStateMs: 50 });
    aws = clientsFor(dynamo.endpoint);
    store = createDynamoStore(await aws.dynamodb());
  });
  afterAll(async () => {
    aws?.destroy();
    await dynamo?.close();
  });

  it('schema-load creates the table and waits until ACTIVE; a second run keeps it', async () => {
    const first = await schemaLoad(store, loaded, {}, silentLogger);
    expect(first).toMatchObject({ table: TABLE, action: 'created', status: 'ACTIVE', indexes: ['message-group-sk-index'] });
    const second = await schemaLoad(store, loaded, {}, silentLogger);
    expect(second).toMatchObject({ table: TABLE, action: 'kept', status: 'ACTIVE' });
    expect(await store.listTables()).toEqual([TABLE]);
  });

  it('seed twice adds no duplicates; the global index answers a Query; scan returns every item', async () => {
    const file = join(FIXTURE_APP, 'backend-flask', 'db', 'ddb-seed.json');
    const seed = parseSeed(await readFile(file, 'utf8'), 'ddb-seed.json', TABLE);
    const once = await seedTables(store, seed, 'ddb-seed.json', {}, silentLogger);
    expect(once.tables).toEqual([{ table: TABLE, items: 5, written: 5, duplicateKeys: 0, retries: 0 }]);
    await seedTables(store, seed, 'ddb-seed.json', {}, silentLogger);
    const scanned = await scanTable(store, TABLE);
    expect(scanned.count).toBe(5);
    expect((await listTables(store)).map((t) => [t.name, t.status])).toEqual([[TABLE, 'ACTIVE']]);

    const query = await (await aws.dynamodb()).send(
      new QueryCommand({
        TableName: TABLE,
        IndexName: 'message-group-sk-index',
        KeyConditionExpression: 'message_group_uuid = :g AND begins_with(sk, :day)',
        ExpressionAttributeValues: { ':g': { S: '5ae290ed-55d1-47a0-bc6d-fe2bc2700399' }, ':day': { S: '2026-01-01' } },
      }),
    );
    // Three messages and the two group rows share the group id; the index orders by sk.
    expect(query.Count).toBe(5);
    const sks = (query.Items ?? []).map((i) => i.sk?.S);
    expect(sks).toEqual([...sks].sort());
  });

  it('a file repeating a key writes the last item once (BatchWriteItem refuses repeated keys)', async () => {
    const text = JSON.stringify([
      { pk: 'dup', sk: '1', message: 'first' },
      { pk: 'dup', sk: '1', message: 'second' },
    ]);
    const result = await seedTables(store, parseSeed(text, 'dup.json', TABLE), 'dup.json', {}, silentLogger);
    expect(result.tables[0]).toMatchObject({ items: 2, written: 1, duplicateKeys: 1 });
    const items = (await scanTable(store, TABLE)).items.map(unmarshalItem).filter((i) => i.pk === 'dup');
    expect(items).toEqual([{ pk: 'dup', sk: '1', message: 'second' }]);
  });

  it('DynamoDB JSON seeds (scan output and batch-write request items) write the same items as plain JSON', async () => {
    const plain = { pk: 'json', sk: 'a', n: 1.5, tags: ['x', 'y'], nested: { ok: true, none: null } };
    const ddbJson = { pk: { S: 'json' }, sk: { S: 'b' }, n: { N: '1.5' }, tags: { L: [{ S: 'x' }, { S: 'y' }] }, nested: { M: { ok: { BOOL: true }, none: { NULL: true } } } };
    expect(marshalItem({ ...plain, sk: 'b' })).toEqual(ddbJson);
    const scanShape = parseSeed(JSON.stringify({ Items: [ddbJson] }), 'scan.json', TABLE);
    const batchShape = parseSeed(JSON.stringify({ [TABLE]: [{ PutRequest: { Item: { ...ddbJson, sk: { S: 'c' } } } }] }), 'batch.json', TABLE);
    expect(scanShape.format).toBe('dynamodb');
    await seedTables(store, scanShape, 'scan.json', {}, silentLogger);
    await seedTables(store, batchShape, 'batch.json', {}, silentLogger);
    const items = (await scanTable(store, TABLE)).items.map(unmarshalItem).filter((i) => i.pk === 'json');
    expect(items.map((i) => i.sk)).toEqual(['b', 'c']);
    expect(items[0]).toEqual({ ...plain, sk: 'b' });
  });

  it('bad seed files name the file and the item', async () => {
    expect(() => parseSeed('[1]', 'bad.json', TABLE)).toThrow('bad.json: item 1 is not a JSON object');
    expect(() => parseSeed('{"Items": [{"pk": "plain"}]}', 'bad.json', TABLE)).toThrow('bad.json: Items[0]: attribute "pk" is not DynamoDB JSON');
    expect(() => parseSeed('{', 'bad.json', TABLE)).toThrow(/^bad\.json: not valid JSON/);
    // A plain number that a double cannot keep is refused, never stored as another number.
    expect(() => parseSeed('[{"pk": "N#1", "sk": "a", "id": 9007199254740993}]', 'big.json', TABLE)).toThrow(
      'big.json: the number 9007199254740993 would be stored as 9007199254740992 (a plain JSON number keeps about 15-17 digits; DynamoDB keeps 38)',
    );
    expect(() => parseSeed('[{"pk": "a", "sk": "b", "n": {"deep": [12345678901234567890]}}]', 'big.json', TABLE)).toThrow(/the number 12345678901234567890 would be stored as 12345678901234567000/);
    expect(() => parseSeed('[{"pk": "a", "sk": "b", "n": 0.12345678901234567891}]', 'big.json', TABLE)).toThrow(/the number 0\.12345678901234567891 /);
    // Numbers that survive (and digits inside strings) pass, written as DynamoDB receives them.
    const fine = parseSeed('[{"pk": "9007199254740993", "sk": "b", "a": 0.1, "b": 1e21, "c": 1.50, "d": -0, "e": 123456789012345, "f": 2.5E-7}]', 'ok.json', TABLE);
    expect(fine.tables.get(TABLE)?.[0]).toMatchObject({ pk: { S: '9007199254740993' }, a: { N: '0.1' }, b: { N: '1e+21' }, c: { N: '1.5' }, e: { N: '123456789012345' }, f: { N: '2.5e-7' } });
    // DynamoDB JSON keeps every digit.
    const exact = parseSeed('{"Items": [{"pk": {"S": "a"}, "sk": {"S": "b"}, "id": {"N": "9007199254740993"}}]}', 'exact.json', TABLE);
    expect(exact.tables.get(TABLE)?.[0]?.id).toEqual({ N: '9007199254740993' });
    await expect(seedTables(store, parseSeed('[{"pk": "x"}]', 'nosk.json', TABLE), 'nosk.json', {}, silentLogger)).rejects.toThrow(
      'nosk.json: item 1 has no "sk" (the table\'s key is pk, sk)',
    );
    // A key or index attribute of the wrong type is named with its item (DynamoDB's ValidationException names none).
    await expect(seedTables(store, parseSeed('[{"pk": "a", "sk": "b"}, {"pk": 1, "sk": "a"}]', 'num.json', TABLE), 'num.json', {}, silentLogger)).rejects.toThrow(
      'num.json: item 2: "pk" is a number (N), but the table\'s key attribute pk is a string (S)',
    );
    await expect(seedTables(store, parseSeed('[{"pk": "a", "sk": "b", "message_group_uuid": true}]', 'gsi.json', TABLE), 'gsi.json', {}, silentLogger)).rejects.toThrow(
      'gsi.json: item 1: "message_group_uuid" is a boolean (BOOL), but the table\'s index key attribute message_group_uuid is a string (S)',
    );
    await expect(seedTables(store, parseSeed('[{"pk": "x", "sk": "y"}]', 'f.json', 'missing-table'), 'f.json', {}, silentLogger)).rejects.toThrow(
      'DynamoDB table missing-table (named by f.json) does not exist',
    );
  });

  it('1,000 items through a proxy that sends back part of every third batch as UnprocessedItems: none lost', async () => {
    const proxy = await new DdbFaultProxy(dynamo.endpoint, (call) => call % 3 === 1).start();
    const proxied = clientsFor(proxy.endpoint);
    try {
      const table = 'bulk';
      await schemaLoad(store, { definition: { ...DEFAULT_TABLE_DEFINITION, TableName: table }, source: 'test' }, {}, silentLogger);
      const items = Array.from({ length: 1000 }, (_, i) => marshalItem({ pk: `P#${i % 37}`, sk: String(i).padStart(4, '0'), message_group_uuid: 'g', n: i }));
      const result = await writeItems(createDynamoStore(await proxied.dynamodb()), table, items, { sleep: noWait }, silentLogger);
      expect(proxy.faultedCalls).toBeGreaterThan(10);
      expect(proxy.heldBack).toBeGreaterThan(200);
      expect(result).toMatchObject({ written: 1000, batches: 40 });
      expect(result.retries).toBe(proxy.faultedCalls);
      const scanned = await scanTable(store, table);
      expect(scanned.count).toBe(1000);
      expect(new Set(scanned.items.map((i) => i.sk?.S)).size).toBe(1000);
    } finally {
      proxied.destroy();
      await proxy.stop();
    }
  });

  it('a batch that never gets through ends with a clear error, not a silent loss', async () => {
    const proxy = await new DdbFaultProxy(dynamo.endpoint, () => true, () => 0).start();
    const proxied = clientsFor(proxy.endpoint);
    try {
      const items = [marshalItem({ pk: 'stuck', sk: '1' })];
      await expect(writeItems(createDynamoStore(await proxied.dynamodb()), TABLE, items, { sleep: noWait, maxRetries: 3 }, silentLogger)).rejects.toThrow(
        'DynamoDB left 1 item(s) of cruddur-messages unprocessed after 3 retries (0 of 1 written)',
      );
      expect(proxy.batchCalls).toBe(4);
    } finally {
      proxied.destroy();
      await proxy.stop();
    }
  });

  it('scan --limit stops early; drop deletes and waits; a second drop reports nothing to do', async () => {
    const limited = await scanTable(store, TABLE, { limit: 2 });
    expect(limited).toMatchObject({ count: 2, truncated: true });
    expect(await dropTable(store, TABLE, { sleep: noWait })).toEqual({ table: TABLE, dropped: true });
    expect(await store.describeTable(TABLE)).toBeUndefined();
    expect(await dropTable(store, TABLE)).toEqual({ table: TABLE, dropped: false });
    const recreated = await schemaLoad(store, loaded, { recreate: true }, silentLogger);
    expect(recreated.action).toBe('created');
    await seedTables(store, parseSeed('[{"pk": "a", "sk": "b"}]', 'one.json', TABLE), 'one.json', {}, silentLogger);
    expect((await schemaLoad(store, loaded, { recreate: true }, silentLogger)).action).toBe('recreated');
    expect((await scanTable(store, TABLE)).count).toBe(0);
  });
});
