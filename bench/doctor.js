#!/usr/bin/env node
// `cruddur doctor --json` on a fully configured copy of the fixture app: embedded PostgreSQL, s3rver with the three
// buckets, and a local stand-in for STS/CloudFront/EC2 that answers after LATENCY ms (a typical AWS round trip).
// Compares the default (every check in parallel) with `--concurrency 1` (one check after another, the baseline),
// alternating in one run, with `node -e 0` for start-up. Medians of N runs.
// Usage: npm run build && node bench/doctor.js [runs=7] [latencyMs=150]
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 7);
const latency = Number(process.argv[3] ?? 150);
const { startPostgres } = await import(join(repo, 'dist', 'local', 'postgres.js'));
const { startS3Server } = await import(join(repo, 'dist', 'local', 's3-server.js'));

const work = mkdtempSync(join(tmpdir(), 'cruddur-bench-doctor-'));
chmodSync(work, 0o755); // as root, PostgreSQL runs as `postgres`, which must be able to enter the folder
const app = join(work, 'app');
cpSync(join(repo, 'test', 'fixtures', 'sample-app'), app, { recursive: true });
mkdirSync(join(app, '.git'));
const demo = Object.fromEntries(
  readFileSync(join(app, 'demo.env'), 'utf8').split('\n').map((l) => /^([A-Z0-9_]+)=(.*)$/.exec(l.trim())).filter(Boolean).map((m) => [m[1], m[2]]),
);

const xml = (body) => ({ type: 'text/xml', body });
const answer = (action, path) => {
  if (action === 'GetCallerIdentity') return xml('<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/bench</Arn><UserId>AIDA</UserId><Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>');
  if (action === 'DescribeSecurityGroupRules') return xml('<DescribeSecurityGroupRulesResponse><securityGroupRuleSet><item><securityGroupRuleId>sgr-1</securityGroupRuleId><groupId>sg-1</groupId><isEgress>false</isEgress><ipProtocol>tcp</ipProtocol><fromPort>5432</fromPort><toPort>5432</toPort><cidrIpv4>203.0.113.7/32</cidrIpv4><description>GITPOD</description></item></securityGroupRuleSet></DescribeSecurityGroupRulesResponse>');
  if (path.startsWith('/2020-05-31/distribution/')) return xml('<Distribution><Id>EBENCH</Id><Status>Deployed</Status><DomainName>d1.cloudfront.net</DomainName></Distribution>');
  return { type: 'text/plain', body: 'no route', status: 500 };
};
const fake = createServer((req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    const a = answer(new URLSearchParams(body).get('Action'), req.url ?? '');
    setTimeout(() => res.writeHead(a.status ?? 200, { 'content-type': a.type }).end(a.body), latency);
  });
});
await new Promise((resolve) => fake.listen(0, '127.0.0.1', resolve));
const fakeUrl = `http://127.0.0.1:${fake.address().port}`;

const pg = await startPostgres({ dataDir: join(work, 'pg') });
const s3 = await startS3Server({ directory: join(work, 's3'), buckets: [demo.UPLOADS_BUCKET_NAME, demo.ASSETS_BUCKET_NAME, demo.DOMAIN_NAME] });
const env = {
  ...process.env, ...demo, ...s3.env, CI: 'true',
  CONNECTION_URL: pg.url('postgres'),
  AWS_ENDPOINT_URL_STS: fakeUrl, AWS_ENDPOINT_URL_CLOUDFRONT: fakeUrl, AWS_ENDPOINT_URL_EC2: fakeUrl,
  CLOUDFRONT_DISTRIBUTION_ID: 'EBENCH', DB_SG_ID: 'sg-1', GITPOD_IP: '203.0.113.7',
};
const run = (args) =>
  new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, ms: Number(process.hrtime.bigint() - start) / 1e6 }));
  });

const results = { 'node -e 0': [], 'doctor (parallel)': [], 'doctor --concurrency 1': [] };
const doctor = async (name, extra) => {
  const r = await run([join(repo, 'bin', 'run.js'), 'doctor', '--json', ...extra]);
  const bad = JSON.parse(r.out).checks.filter((c) => c.status !== 'ok' && !c.id.startsWith('program-'));
  if (bad.length > 0) throw new Error(`doctor exited ${r.code}: ${JSON.stringify(bad)}`);
  results[name].push(r.ms);
};
try {
  spawnSync(process.execPath, [join(repo, 'bin', 'run.js'), 'env', 'generate'], { cwd: app, env });
  for (let i = 0; i < runs; i++) {
    results['node -e 0'].push((await run(['-e', '0'])).ms);
    await doctor('doctor (parallel)', []);
    await doctor('doctor --concurrency 1', ['--concurrency', '1']);
  }
} finally {
  await s3.stop();
  await pg.stop();
  fake.close();
  rmSync(work, { recursive: true, force: true });
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(results['node -e 0']);
console.log(`doctor, ${runs} alternating runs, fake AWS latency ${latency} ms, median wall ms (node ${process.version}, ${process.platform}-${process.arch})`);
for (const [name, xs] of Object.entries(results)) {
  console.log(`${name.padEnd(24)} ${median(xs).toFixed(0).padStart(6)} ms  ${(median(xs) / base).toFixed(2).padStart(5)}x node -e 0   (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`);
}
const parallel = median(results['doctor (parallel)']);
const serial = median(results['doctor --concurrency 1']);
console.log(`parallel checks: ${(serial / parallel).toFixed(2)}x faster than one after another (${serial.toFixed(0)} -> ${parallel.toFixed(0)} ms)`);
