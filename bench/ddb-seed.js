#!/usr/bin/env node
// `node bench/ddb-seed.js [runs]`: 1,000 plain-JSON items written by the `ddb seed` service (BatchWriteItem
// by 25) into dynalite in memory, straight and through a proxy answering every third batch with half of it as
// UnprocessedItems (retried with the real backoff). Alternating runs; medians. Runs the TypeScript through tsx.
import { tsImport } from 'tsx/esm/api';

const runs = Number(process.argv[2] ?? 5);
const load = (path) => tsImport(path, import.meta.url);
const [{ startLocalDynamo }, { AwsClients, resolveAwsSettings }, { createDynamoStore }, { schemaLoad, writeItems }, { DEFAULT_TABLE_DEFINITION }, { marshalItem }, { DdbFaultProxy }, { silentLogger }] =
  await Promise.all([
    load('../src/local/dynamodb.ts'),
    load('../src/aws/clients.ts'),
    load('../src/aws/dynamodb.ts'),
    load('../src/ddb/ddb.ts'),
    load('../src/ddb/definition.ts'),
    load('../src/ddb/items.ts'),
    load('../test/support/ddb-fault-proxy.ts'),
    load('../src/core/output.ts'),
  ]);

const dynamo = await startLocalDynamo({ tableStateMs: 0 });
const proxy = await new DdbFaultProxy(dynamo.endpoint, (call) => call % 3 === 1).start();
const storeFor = async (endpoint) => {
  const aws = new AwsClients(resolveAwsSettings({ env: { AWS_ENDPOINT_URL_DYNAMODB: endpoint, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x', AWS_REGION: 'us-east-1' } }));
  return { aws, store: createDynamoStore(await aws.dynamodb()) };
};
const direct = await storeFor(dynamo.endpoint);
const faulty = await storeFor(proxy.endpoint);
const items = Array.from({ length: 1000 }, (_, i) => marshalItem({ pk: `P#${i % 37}`, sk: String(i).padStart(4, '0'), message_group_uuid: 'g', n: i }));
const times = { direct: [], unprocessed: [] };
for (let run = 0; run < runs; run += 1) {
  for (const [name, target] of [['direct', direct], ['unprocessed', faulty]]) {
    const table = `bench-${name}-${run}`;
    await schemaLoad(direct.store, { definition: { ...DEFAULT_TABLE_DEFINITION, TableName: table }, source: 'bench' }, {}, silentLogger);
    const started = performance.now();
    const result = await writeItems(target.store, table, items, {}, silentLogger);
    times[name].push(performance.now() - started);
    if (result.written !== 1000) throw new Error(`${name}: ${result.written} written`);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(times.direct);
console.log(`ddb seed, 1,000 items, ${runs} alternating runs each, median wall ms (node ${process.version})`);
for (const [name, xs] of Object.entries(times)) console.log(`${name.padEnd(12)} ${median(xs).toFixed(0).padStart(6)} ms  ${(median(xs) / base).toFixed(2)}x direct  (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`);
direct.aws.destroy();
faulty.aws.destroy();
await proxy.stop();
await dynamo.close();
