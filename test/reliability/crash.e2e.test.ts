import type { S3Client } from '@aws-sdk/client-s3';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invalidationPaths } from '../../src/frontend/invalidation.js';
import { STATE_KEY } from '../../src/frontend/state.js';
import { DISTRIBUTION_ID, invalidationRequests, routeCloudFront } from '../frontend/cloudfront-fake.js';
import { startFakeAws, type FakeAws } from '../support/aws-fake.js';
import { parseJson } from '../support/cli.js';
import { runCommand } from '../support/command.js';
import { startFaultProxy, type FaultProxy, type ProxiedRequest } from '../support/fault-proxy.js';
import { startTestS3, type TestS3 } from '../support/s3.js';
import type { TempDir } from '../support/tmp.js';
import { asEntries, bucketContents, bucketKeys, checkOutput, deletedKeys, makeProject, recordFigures, resetBucket, siteTree, spawnCli, writeTree, type Tree } from './helpers.js';

/**
 * `frontend sync` is SIGKILLed at points chosen by watching its requests (never by sleeping): after the Nth
 * upload has landed, while an upload's body is still on the wire, once every asset is up but no HTML, during
 * the deletes, and when CloudFront has received the invalidation. Each time, a plain re-run must converge:
 * the bucket equals the build (keys and bytes), nothing outside the plan was deleted, and CloudFront is
 * told about every key the killed run changed. Every re-run starts from a fresh checkout (no `.cruddur/`):
 * what is owed lives in the bucket (STATE_KEY), and the killed run's lock is taken over at once (its pid is gone).
 */
type KillPoint =
  | { name: string; event: 'state-landed' }
  | { name: string; event: 'put-landed'; n: number }
  | { name: string; event: 'put-sent'; n: number }
  | { name: string; event: 'first-html-sent' }
  | { name: string; event: 'delete-landed' }
  | { name: string; event: 'invalidation-received' };

/** Seeded choice of "after the Nth upload" kill points (mulberry32, as the fault proxy uses). */
function seededN(seed: number, max: number): number {
  let a = seed >>> 0;
  a = (a + 0x6d2b79f5) >>> 0;
  let t = Math.imul(a ^ (a >>> 15), a | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return 1 + Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * max);
}

const BUCKET = 'crash';
const OLD: Tree = { ...siteTree(1), 'old/legacy.js': Buffer.from('legacy()'), 'old/legacy.css': Buffer.from('.legacy{}') };
const NEW: Tree = siteTree(2);
const CHANGED_UPLOADS = Object.keys(NEW).filter((k) => !OLD[k]?.equals(NEW[k] as Buffer));
const STALE = Object.keys(OLD).filter((k) => !(k in NEW));

let s3: TestS3;
let proxy: FaultProxy;
let fake: FakeAws;
let client: S3Client;
let project: TempDir;
let build: string;
/** Called by the proxy and the CloudFront fake on every event, while a kill is armed. */
let watcher: ((event: 'state-landed' | 'put-landed' | 'put-sent' | 'delete-landed' | 'invalidation-received', entry?: ProxiedRequest) => void) | undefined;
/** The sync's own state object is not content: its writes are not uploads of the plan. */
const isState = (r: ProxiedRequest) => r.path.includes('sync-state.json');
const tried: string[] = [];
const figures = { killPoints: 0, converged: 0, unplannedDeletes: 0, missingInvalidations: 0, objectsCompared: 0 };

const env = () => ({ ...s3.env, AWS_ENDPOINT_URL_S3: proxy.endpoint, AWS_ENDPOINT_URL_CLOUDFRONT: fake.endpoint });
const syncArgs = ['frontend', 'sync', '--bucket', BUCKET, '--build-dir', 'build', '--distribution-id', DISTRIBUTION_ID, '--auto-approve', '--max-invalidation-paths', '100', '--concurrency', '3'];

beforeAll(async () => {
  [s3, fake, project] = await Promise.all([startTestS3([BUCKET]), startFakeAws(), makeProject()]);
  proxy = await startFaultProxy(s3.endpoint);
  proxy.hooks = {
    request: (r) => {
      if (r.method === 'PUT' && !isState(r)) watcher?.('put-sent', r);
    },
    response: (r) => {
      if (r.method === 'PUT' && r.status === 200 && isState(r)) watcher?.('state-landed', r);
      if (r.method === 'PUT' && r.status === 200 && !isState(r)) watcher?.('put-landed', r);
      if (r.method === 'POST' && r.query.includes('delete') && r.status === 200) watcher?.('delete-landed', r);
    },
  };
  // Seen before the real CloudFront route answers (a matcher that never matches, only watches).
  fake.on((r) => {
    if (r.method === 'POST' && r.path.endsWith('/invalidation')) watcher?.('invalidation-received');
    return false;
  }, () => ({}));
  routeCloudFront(fake);
  client = s3.client();
  build = join(project.path, 'build');
  await mkdir(build);
  await writeTree(build, NEW);
});

afterAll(async () => {
  await recordFigures('crash', { ...figures, tried });
  await Promise.all([proxy?.stop(), fake?.stop(), project?.cleanup()]);
  await s3?.stop();
});

const POINTS: KillPoint[] = [
  { name: 'before the first upload (the owed keys and lock just written)', event: 'state-landed' },
  { name: 'when the first upload is on the wire', event: 'put-sent', n: 1 },
  ...[7, 12, 6, 4].map((seed) => ({ name: `after upload ${seededN(seed, CHANGED_UPLOADS.length - 1)} of ${CHANGED_UPLOADS.length} landed (seed ${seed})`, event: 'put-landed' as const, n: seededN(seed, CHANGED_UPLOADS.length - 1) })),
  { name: 'with every asset up, as the first HTML upload is sent', event: 'first-html-sent' },
  { name: 'after the delete batch landed', event: 'delete-landed' },
  { name: 'when CloudFront received the invalidation', event: 'invalidation-received' },
];

describe('frontend sync killed with SIGKILL during apply, then run again', () => {
  it('the plan under test changes files, renames hashed assets and deletes stale ones', () => {
    expect(CHANGED_UPLOADS.length).toBeGreaterThanOrEqual(8);
    expect(STALE.length).toBeGreaterThanOrEqual(6);
  });

  it.each(POINTS)('converges when killed $name', async (point) => {
    await resetBucket(client, BUCKET, OLD);
    await rm(join(project.path, '.cruddur'), { recursive: true, force: true });
    const logFrom = proxy.log.length;
    const invalidationsFrom = invalidationRequests(fake).length;

    const child = spawnCli(syncArgs, { cwd: project.path, env: env() });
    let puts = 0;
    watcher = (event, entry) => {
      const hit =
        (point.event === 'put-landed' && event === 'put-landed' && ++puts === point.n) ||
        (point.event === 'put-sent' && event === 'put-sent' && ++puts === point.n) ||
        (point.event === 'first-html-sent' && event === 'put-sent' && (entry?.path.endsWith('.html') ?? false)) ||
        (point.event === event && (event === 'state-landed' || event === 'delete-landed' || event === 'invalidation-received'));
      if (hit) {
        watcher = undefined;
        child.kill('SIGKILL');
      }
    };
    const killed = await child;
    watcher = undefined;
    checkOutput(killed, 'the killed sync');
    expect(killed.signal, `${killed.stdout}\n${killed.stderr}`).toBe('SIGKILL');
    tried.push(point.name);
    figures.killPoints += 1;
    // The owed invalidation was in the bucket before the first write; the next run comes from a fresh checkout.
    expect((await bucketKeys(client, BUCKET))).toContain(STATE_KEY);
    await rm(join(project.path, '.cruddur'), { recursive: true, force: true });

    // The re-runs need no process of their own (the killed run is the process under test): runCommand.
    const rerun = await runCommand([...syncArgs, '--json'], { cwd: project.path, env: env() });
    expect(rerun.exitCode, rerun.stderr).toBe(0);
    const json = parseJson<{ resumed: string[]; invalidation: { status: string; paths: string[] } }>(rerun);

    // The bucket is the build, byte for byte.
    const bucket = await bucketContents(client, BUCKET);
    figures.objectsCompared += Object.keys(bucket).length;
    expect(asEntries(bucket)).toEqual(asEntries(NEW));
    // Only stale keys were ever deleted, by either run.
    const deleted = deletedKeys(proxy.log.slice(logFrom)).filter((k) => k !== STATE_KEY);
    const unplanned = deleted.filter((k) => !STALE.includes(k));
    figures.unplannedDeletes += unplanned.length;
    expect(unplanned).toEqual([]);
    // The re-run invalidated everything the two runs changed, including what the killed run had already uploaded.
    const expected = invalidationPaths([...CHANGED_UPLOADS, ...STALE], 100);
    const last = invalidationRequests(fake).slice(invalidationsFrom).at(-1) ?? [];
    figures.missingInvalidations += expected.filter((p) => !last.includes(p)).length;
    expect(last).toEqual(expected);
    expect(json.invalidation.status).toBe('created');
    expect(json.resumed).toEqual([...CHANGED_UPLOADS, ...STALE].sort());
    expect(existsSync(join(project.path, '.cruddur'))).toBe(false);
    figures.converged += 1;

    // And a third run has nothing left to do.
    const again = parseJson<{ counts: Record<string, number>; invalidation: { status: string } }>(await runCommand([...syncArgs, '--json'], { cwd: project.path, env: env() }));
    expect(again.counts).toMatchObject({ create: 0, update: 0, delete: 0 });
    expect(again.invalidation.status).toBe('not-needed');
  });
});
