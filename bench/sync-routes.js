// bench/sync-routes.js: the no-change `cruddur frontend sync` of a 20,000-file build (1-4 KB files) with
// cruddur.json routes configured, against the same sync without routes, on one local s3rver, in one run.
//   npm run build --silent && node bench/sync-routes.js      (BENCH_FILES, BENCH_RUNS to change the size)
// Prints medians of alternating runs and the ratio (target <= 1.1x); record them in bench/RESULTS.md.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { S3Client, CreateBucketCommand } from '@aws-sdk/client-s3';
import { startS3Server } from '../dist/local/s3-server.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'bin', 'run.js');
const FILES = Number(process.env.BENCH_FILES ?? 20000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const work = mkdtempSync(join(tmpdir(), 'cruddur-bench-routes-'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;

function time(args, cwd, env) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) reject(new Error(`sync failed (${code}):\n${stderr}`));
      else resolve({ ms, stdout });
    });
  });
}

const tree = join(work, 'build');
for (let i = 0; i < FILES; i++) {
  const sub = i % 3 === 0 ? 'static/css' : i % 3 === 1 ? `static/js/c${i % 20}` : `docs/p${i % 50}`;
  const name = i % 3 === 2 ? `page${i}.json` : `f${i}.${randomBytes(4).toString('hex')}.${i % 3 === 0 ? 'css' : 'js'}`;
  mkdirSync(join(tree, sub), { recursive: true });
  writeFileSync(join(tree, sub, name), randomBytes(1024 + ((i * 104729) % 3072)));
}
writeFileSync(join(tree, 'index.html'), '<!doctype html><title>bench</title>');

const plain = join(work, 'plain');
const routed = join(work, 'routed');
mkdirSync(plain);
mkdirSync(routed);
writeFileSync(join(plain, 'cruddur.json'), '{}');
writeFileSync(
  join(routed, 'cruddur.json'),
  JSON.stringify({
    frontend: {
      routes: [
        { match: '^static/js/.*\\.js$', headers: { 'Content-Language': 'en', 'x-amz-meta-kind': 'script' } },
        { match: '*.css', headers: { 'Cache-Control': 'public, max-age=600' } },
        { match: 'docs/**', headers: { 'Content-Disposition': 'inline', 'x-amz-meta-kind': 'doc' } },
        { match: '*.html', headers: { 'Content-Language': 'en' } },
      ],
    },
  }),
);

const s3 = await startS3Server({ directory: join(work, 's3') });
const env = { ...process.env, ...s3.env, CI: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', AWS_EC2_METADATA_DISABLED: 'true' };
const client = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
const sync = (bucket, cwd) => time(['frontend', 'sync', '--bucket', bucket, '--build-dir', tree, '--auto-approve', '--json', '--changeset', '-'], cwd, env);
try {
  for (const b of ['plain', 'routed']) await client.send(new CreateBucketCommand({ Bucket: b }));
  console.log(`tree: ${FILES + 1} files of 1-4 KB; node ${process.version}; runs: ${RUNS}`);
  console.log(`first upload: without routes ${fmt((await sync('plain', plain)).ms)}, with routes ${fmt((await sync('routed', routed)).ms)}`);
  const without = [];
  const withRoutes = [];
  for (let r = 0; r < RUNS; r++) {
    for (const [bucket, cwd, into] of r % 2 === 0 ? [['plain', plain, without], ['routed', routed, withRoutes]] : [['routed', routed, withRoutes], ['plain', plain, without]]) {
      const out = await sync(bucket, cwd);
      const counts = JSON.parse(out.stdout).counts;
      if (counts.no_change !== FILES + 1) throw new Error(`expected ${FILES + 1} no_change, got ${JSON.stringify(counts)}`);
      into.push(out.ms);
    }
  }
  const a = median(without);
  const b = median(withRoutes);
  console.log(`no-change sync: without routes ${fmt(a)} [${without.map(fmt).join(', ')}], with routes ${fmt(b)} [${withRoutes.map(fmt).join(', ')}] -> ${(b / a).toFixed(3)}x (target <= 1.1x)`);
} finally {
  client.destroy();
  await s3.stop();
  rmSync(work, { recursive: true, force: true });
}
