// bench/sync.js: `cruddur frontend sync` against its baselines, on one local s3rver, in one run.
//   node bench/sync.js            (needs `npm run build`; awscli for the `aws s3 sync` comparison)
//   BENCH_FILES=20000 BENCH_SHAPE=small BENCH_CONCURRENCY=32 node bench/sync.js   (issue 15's large site: 1-4 KB files)
// Env: BENCH_FILES (2000), BENCH_RUNS (3), BENCH_SHAPE (react: 2-20 KB chunks and 5% media of 150-450 KB; small:
// every file 1-4 KB), BENCH_CONCURRENCY (4,8,16,32), BENCH_SKIP (comma list of: proxy, serial, kms), BENCH_AWS (the
// `aws` to compare with; default: `aws` on PATH). Peak RSS comes from /usr/bin/time (GNU time's %M) when it exists.
// Prints medians and ratios; record them in bench/RESULTS.md.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, Agent } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { S3Client, CreateBucketCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { startS3Server } from '../dist/local/s3-server.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'bin', 'run.js');
const FILES = Number(process.env.BENCH_FILES ?? 2000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SHAPE = process.env.BENCH_SHAPE ?? 'react';
const SKIP = new Set((process.env.BENCH_SKIP ?? '').split(',').filter(Boolean));
const DELAY_MS = 20;
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const work = mkdtempSync(join(tmpdir(), 'cruddur-bench-sync-'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;

// Asynchronous on purpose: the latency proxy lives in this process and must keep serving.
// With `rss`, the command runs under GNU time and `rssMB` is its peak resident set (the largest process of its tree).
let rssFiles = 0;
function time(file, args, options = {}) {
  const rssFile = options.rss && GNU_TIME ? join(work, `rss-${++rssFiles}.txt`) : undefined;
  if (rssFile) [file, args] = [GNU_TIME, ['-f', '%M', '-o', rssFile, file, ...args]];
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(file, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) reject(new Error(`${file} ${args.join(' ')} failed (${code}):\n${stderr}\n${stdout}`));
      else resolve({ ms, stdout, rssMB: rssFile ? Number(readFileSync(rssFile, 'utf8').trim().split('\n').at(-1)) / 1024 : undefined });
    });
  });
}

// react (default): ~50 MB in 2,001 files, shaped like a React build: many small chunks, some media, one index.html.
// small: every file 1-4 KB (issue 15's 20,000-file site), in 20 folders.
function generateTree(dir) {
  let bytes = 0;
  for (let i = 0; i < FILES; i++) {
    const big = SHAPE !== 'small' && i % 20 === 0;
    const size = SHAPE === 'small' ? 1_024 + ((i * 104729) % 3_073) : big ? 150_000 + ((i * 7919) % 300_000) : 2_000 + ((i * 104729) % 18_000);
    const sub = big ? 'static/media' : `static/js/chunk${i % (SHAPE === 'small' ? 20 : 10)}`;
    mkdirSync(join(dir, sub), { recursive: true });
    writeFileSync(join(dir, sub, `f${i}.${randomBytes(4).toString('hex')}.${big ? 'png' : 'js'}`), randomBytes(size));
    bytes += size;
  }
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>bench</title>');
  return bytes + 36;
}

/** An SSE-KMS-like ETag: 32 hex digits, stable per object version, but not the MD5 of the bytes. */
const kmsEtag = (etag) => createHash('sha256').update(`kms:${etag}`).digest('hex').slice(0, 32);

/**
 * A reverse proxy that waits DELAY_MS before forwarding each request: a remote S3 as seen from CI. With
 * `kms`, it replaces every ETag (headers and listings) like a bucket with default SSE-KMS encryption.
 */
function startLatencyProxy(target, { kms = false } = {}) {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const server = createServer((req, res) => {
    setTimeout(() => {
      const upstream = request({ host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: req.headers, agent }, (up) => {
        if (!kms) {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
          return;
        }
        const headers = { ...up.headers };
        if (typeof headers.etag === 'string') headers.etag = `"${kmsEtag(headers.etag.replaceAll('"', ''))}"`;
        if (!String(headers['content-type'] ?? '').includes('xml')) {
          res.writeHead(up.statusCode ?? 502, headers);
          up.pipe(res);
          return;
        }
        const chunks = [];
        up.on('data', (c) => chunks.push(c));
        up.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8').replace(/<ETag>(&quot;|")?([^<&"]*)(&quot;|")?<\/ETag>/g, (_m, _q, etag) => `<ETag>&quot;${kmsEtag(etag)}&quot;</ETag>`);
          delete headers['content-length'];
          res.writeHead(up.statusCode ?? 502, { ...headers, 'content-length': Buffer.byteLength(body) });
          res.end(body);
        });
      });
      upstream.on('error', (e) => {
        res.writeHead(502);
        res.end(String(e));
      });
      req.pipe(upstream);
    }, DELAY_MS);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ port: server.address().port, close: () => { server.close(); server.closeAllConnections(); agent.destroy(); } })));
}

const tree = join(work, 'build');
const project = join(work, 'project');
mkdirSync(project);
writeFileSync(join(project, 'cruddur.json'), '{}');
const totalBytes = generateTree(tree);
const fileCount = FILES + 1;
console.log(`tree: ${fileCount} files (${SHAPE}), ${(totalBytes / 1024 / 1024).toFixed(1)} MiB; node ${process.version}; runs: ${RUNS}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

const s3 = await startS3Server({ directory: join(work, 's3') });
const baseEnv = { ...process.env, ...s3.env, CI: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', AWS_EC2_METADATA_DISABLED: 'true' };
const client = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, requestChecksumCalculation: 'WHEN_REQUIRED' });
let bucketNo = 0;
const newBucket = async (label) => {
  const name = `${label}-${++bucketNo}`;
  await client.send(new CreateBucketCommand({ Bucket: name }));
  return name;
};
const cruddurSync = (bucket, env = baseEnv, extra = [], rss = false) =>
  time(process.execPath, [CLI, 'frontend', 'sync', '--bucket', bucket, '--build-dir', tree, '--auto-approve', ...extra], { cwd: project, env, rss });
const awsSync = (aws, bucket) => time(aws, ['s3', 'sync', tree, `s3://${bucket}`, '--endpoint-url', s3.endpoint, '--only-show-errors'], { env: baseEnv, rss: true });

const results = {};
try {
  // 1. First upload: cruddur vs `aws s3 sync`, each into fresh buckets.
  // BENCH_AWS, else the `aws` on PATH (here the AWS CLI 1.45 of the machine's Python).
  const aws = process.env.BENCH_AWS || spawnSync('sh', ['-c', 'command -v aws'], { encoding: 'utf8' }).stdout.trim();
  let synced = '';
  let awsSynced = '';
  const firstCruddur = [];
  const firstAws = [];
  const rss = { cruddurFirst: [], awsFirst: [], cruddurNoChange: [], awsNoChange: [] };
  for (let r = 0; r < RUNS; r++) {
    synced = await newBucket('cruddur');
    const mine = await cruddurSync(synced, baseEnv, [], true);
    firstCruddur.push(mine.ms);
    rss.cruddurFirst.push(mine.rssMB);
    if (aws) {
      awsSynced = await newBucket('awscli');
      const theirs = await awsSync(aws, awsSynced);
      firstAws.push(theirs.ms);
      rss.awsFirst.push(theirs.rssMB);
    }
  }
  results.first = { cruddur: median(firstCruddur), aws: aws ? median(firstAws) : undefined, awsPath: aws, runs: { cruddur: firstCruddur, aws: firstAws } };
  console.log(`[partial] first upload cruddur ${fmt(results.first.cruddur)} aws ${results.first.aws ? fmt(results.first.aws) : '-'} ${JSON.stringify(results.first.runs)}`);

  // 2. No-change plan vs the floor: node -e 0 + a bare listing script + md5sum of the tree.
  const listScript = join(work, 'list.mjs');
  writeFileSync(
    listScript,
    `import { S3Client, ListObjectsV2Command } from ${JSON.stringify(join(ROOT, 'node_modules/@aws-sdk/client-s3/dist-cjs/index.js'))};
const c = new S3Client({ region: 'us-east-1', endpoint: process.env.AWS_ENDPOINT_URL_S3, forcePathStyle: true });
let n = 0, t; do { const p = await c.send(new ListObjectsV2Command({ Bucket: process.argv[2], ContinuationToken: t })); n += (p.Contents ?? []).length; t = p.IsTruncated ? p.NextContinuationToken : undefined; } while (t);
if (n === 0) process.exit(1);`,
  );
  const noChange = [];
  const nodeBare = [];
  const listing = [];
  const md5sum = [];
  const awsNoChange = [];
  for (let r = 0; r < RUNS + 2; r++) {
    const out = await cruddurSync(synced, baseEnv, ['--json'], true);
    const json = JSON.parse(out.stdout);
    if (json.counts.no_change !== fileCount) throw new Error(`expected ${fileCount} no_change, got ${JSON.stringify(json.counts)}`);
    noChange.push(out.ms);
    rss.cruddurNoChange.push(out.rssMB);
    nodeBare.push((await time(process.execPath, ['-e', '0'])).ms);
    listing.push((await time(process.execPath, [listScript, synced], { env: baseEnv })).ms);
    md5sum.push((await time('sh', ['-c', `find "${tree}" -type f -print0 | xargs -0 md5sum > /dev/null`])).ms);
    if (aws) {
      // aws s3 sync on its own bucket: size and modification time say nothing changed.
      const theirs = await awsSync(aws, awsSynced);
      awsNoChange.push(theirs.ms);
      rss.awsNoChange.push(theirs.rssMB);
    }
  }
  results.noChange = { cruddur: median(noChange), node: median(nodeBare), list: median(listing), md5sum: median(md5sum), aws: aws ? median(awsNoChange) : undefined };
  results.rss = rss;
  console.log(`[partial] no-change ${JSON.stringify(results.noChange)} runs ${JSON.stringify({ noChange, nodeBare, listing, md5sum, awsNoChange }, (_k, v) => (typeof v === 'number' ? Math.round(v) : v))}`);
  console.log(`[partial] peak RSS MB ${JSON.stringify(rss, (_k, v) => (typeof v === 'number' ? Math.round(v) : v))}`);

  // 3. Through a 20 ms-per-request proxy: cruddur at several concurrencies vs one upload at a time (the gem's model).
  const proxy = await startLatencyProxy(s3.port);
  const remoteEnv = { ...baseEnv, AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${proxy.port}` };
  const sweep = {};
  results.sweep = sweep;
  if (!SKIP.has('proxy')) {
    for (const c of (process.env.BENCH_CONCURRENCY ?? '4,8,16,32').split(',').map(Number)) {
      sweep[c] = (await cruddurSync(await newBucket(`remote-c${c}`), remoteEnv, ['--concurrency', String(c)])).ms;
    }
  }
  if (!SKIP.has('serial')) {
    const serialBucket = await newBucket('serial');
    const remote = new S3Client({ region: 'us-east-1', endpoint: `http://127.0.0.1:${proxy.port}`, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, requestChecksumCalculation: 'WHEN_REQUIRED' });
    const files = [];
    const walk = (d, rel = '') => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name), `${rel}${e.name}/`);
        else files.push([join(d, e.name), `${rel}${e.name}`]);
      }
    };
    walk(tree);
    const started = process.hrtime.bigint();
    // Like the gem: list, then one PutObject after another.
    await remote.send(new ListObjectsV2Command({ Bucket: serialBucket }));
    for (const [abs, key] of files) {
      const body = readFileSync(abs);
      await remote.send(new PutObjectCommand({ Bucket: serialBucket, Key: key, Body: body, ContentMD5: createHash('md5').update(body).digest('base64') }));
    }
    results.serial = Number(process.hrtime.bigint() - started) / 1e6;
    remote.destroy();
  }
  console.log(`[partial] 20 ms proxy ${JSON.stringify(sweep)} one at a time ${results.serial ? fmt(results.serial) : '-'}`);

  // 4. SSE-KMS-style bucket (ETags replaced), nothing changed, through the 20 ms proxy, vs the same plan on a plain bucket.
  if (!SKIP.has('kms')) {
    const kmsProxy = await startLatencyProxy(s3.port, { kms: true });
    const kmsEnv = { ...baseEnv, AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${kmsProxy.port}` };
    const kmsBucket = await newBucket('kms');
    await cruddurSync(kmsBucket, kmsEnv); // first upload: stores each MD5 and the hash cache
    const plainBucket = await newBucket('plain');
    await cruddurSync(plainBucket, remoteEnv);
    // A bucket whose objects predate the hash cache: one HeadObject per object, once.
    const kmsCold = [];
    const kmsWarm = [];
    const plainWarm = [];
    for (let r = 0; r < RUNS; r++) {
      const out = await cruddurSync(kmsBucket, kmsEnv, ['--json']);
      const json = JSON.parse(out.stdout);
      if (json.counts.no_change !== fileCount) throw new Error(`kms: expected ${fileCount} no_change, got ${JSON.stringify(json.counts)}`);
      kmsWarm.push(out.ms);
      plainWarm.push((await cruddurSync(plainBucket, remoteEnv, ['--json'])).ms);
    }
    // Cold: the state object removed, so every stored MD5 is read with HeadObject (then kept again).
    for (let r = 0; r < RUNS; r++) {
      await client.send(new (await import('@aws-sdk/client-s3')).DeleteObjectCommand({ Bucket: kmsBucket, Key: '.cruddur/sync-state.json' }));
      kmsCold.push((await cruddurSync(kmsBucket, kmsEnv, ['--json'])).ms);
    }
    results.kms = { warm: median(kmsWarm), plain: median(plainWarm), cold: median(kmsCold) };
    console.log(`[partial] kms ${JSON.stringify({ kmsWarm, plainWarm, kmsCold })}`);
    kmsProxy.close();
  }
  proxy.close();
} finally {
  client.destroy();
  await Promise.race([s3.stop(), new Promise((r) => setTimeout(r, 10_000))]);
  rmSync(work, { recursive: true, force: true });
}

const { first, noChange, serial, sweep, kms, rss } = results;
const floor = noChange.node + noChange.list + noChange.md5sum;
const mb = (xs) => (xs.length > 0 && xs[0] !== undefined ? `${Math.round(median(xs))} MB` : '-');
console.log('');
console.log(`first upload        cruddur ${fmt(first.cruddur)}${first.aws ? `   aws s3 sync ${fmt(first.aws)} (${first.awsPath})   -> ${(first.aws / first.cruddur).toFixed(2)}x faster (targets: 2,001 files >= 1.5x; 20,000 of 1-4 KB >= 4x)` : '   (aws not installed: skipped)'}`);
console.log(`no-change plan      cruddur ${fmt(noChange.cruddur)}   floor ${fmt(floor)} = node -e 0 ${fmt(noChange.node)} + listing ${fmt(noChange.list)} + md5sum ${fmt(noChange.md5sum)}   -> ${(noChange.cruddur / floor).toFixed(2)}x the floor (target <= 1.1x)`);
if (noChange.aws) console.log(`no-change vs aws    aws s3 sync ${fmt(noChange.aws)}   -> cruddur ${(noChange.aws / noChange.cruddur).toFixed(2)}x faster (target, 20,000 files: >= 2x)`);
console.log(`peak RSS (median)   cruddur first upload ${mb(rss.cruddurFirst)}, no-change ${mb(rss.cruddurNoChange)}   aws first upload ${mb(rss.awsFirst)}, no-change ${mb(rss.awsNoChange)}   (target, 20,000 files: cruddur <= 250 MB)`);
if (Object.keys(sweep).length > 0) {
  const best = Number(Object.entries(sweep).sort((a, b) => a[1] - b[1])[0][0]);
  console.log(`20 ms proxy         ${Object.entries(sweep).map(([c, ms]) => `c=${c} ${fmt(ms)}`).join('   ')}`);
  if (serial) console.log(`                    one at a time ${fmt(serial)}   -> fastest c=${best} is ${(serial / sweep[best]).toFixed(1)}x faster (targets: 2,001 files >= 5x; 20,000 >= 12x)`);
}
if (kms) console.log(`SSE-KMS-style, 20 ms no-change: ${fmt(kms.warm)} vs plain bucket ${fmt(kms.plain)} -> ${(kms.warm / kms.plain).toFixed(2)}x (target <= 2x); without the hash cache (HeadObject each) ${fmt(kms.cold)} -> ${(kms.cold / kms.plain).toFixed(2)}x`);
