#!/usr/bin/env node
// `cruddur env generate` of the sample app's three .erb templates: this checkout's build (Ruby ERB rules,
// compose .env reader) vs a baseline build of the code before (EJS + dotenv), alternating runs, medians,
// plus `node -e 0` as the start-up floor. The .env file uses ${VAR} so the reader's interpolation is on
// the measured path.
// Usage: npm run build && node bench/env.js <baseline checkout with a built dist/> [runs=9]
//   e.g. git archive <base> | tar -x -C /tmp/env-base && (cd /tmp/env-base && npm run build)
import { spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const baseline = process.argv[2];
const runs = Number(process.argv[3] ?? 9);
if (!baseline || !existsSync(join(baseline, 'dist'))) {
  console.error('usage: node bench/env.js <baseline checkout with dist/> [runs]');
  process.exit(2);
}
const source = join(repo, 'test', 'fixtures', 'sample-app');
const work = await mkdtemp(join(tmpdir(), 'cruddur-bench-env-'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;

try {
  const app = join(work, 'app');
  await cp(source, app, { recursive: true });
  await mkdir(join(app, '.git'));
  // The demo variables as a .env file, with one ${VAR} reference, as a user's file would have.
  const demo = await readFile(join(source, 'demo.env'), 'utf8');
  await writeFile(join(app, '.env'), `${demo}DB_PASSWORD=demo-not-secret\nPROD_CONNECTION_URL=postgresql://postgres:\${DB_PASSWORD}@127.0.0.1:5432/cruddur\n`);
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, CI: 'true' };
  const run = (args) => {
    const r = spawnSync(process.execPath, args, { env, cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    return r.stdout.toString();
  };
  const cases = {
    'env generate (this build)': () => run([join(repo, 'bin', 'run.js'), 'env', 'generate']),
    'env generate (baseline)': () => run([join(baseline, 'bin', 'run.js'), 'env', 'generate']),
    'node -e 0 (start-up floor)': () => run(['-e', '0']),
  };
  // Same bytes from both builds before timing anything.
  const outputs = ['backend-flask.env', 'frontend-react-js.env', 'sync.env'];
  const read = () => Promise.all(outputs.map((f) => readFile(join(app, f), 'utf8')));
  cases['env generate (baseline)']();
  const before = await read();
  await Promise.all(outputs.map((f) => rm(join(app, f))));
  cases['env generate (this build)']();
  const after = await read();
  if (JSON.stringify(before) !== JSON.stringify(after)) throw new Error('the two builds render different bytes');

  const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (const f of Object.values(cases)) f(); // warm-up
  for (let i = 0; i < runs; i++) {
    for (const [name, f] of Object.entries(cases)) {
      // A fresh render each time: remove the outputs so both builds write all three files.
      await Promise.all(outputs.map((f2) => rm(join(app, f2), { force: true })));
      const start = process.hrtime.bigint();
      f();
      times[name].push(ms(start));
    }
  }
  const base = median(times['env generate (baseline)']);
  console.log(`env generate of ${outputs.length} templates, ${runs} alternating runs, medians (${new Date().toISOString()})`);
  for (const [name, xs] of Object.entries(times)) {
    console.log(`  ${name.padEnd(28)} ${median(xs).toFixed(0).padStart(5)} ms  ${(median(xs) / base).toFixed(2)}x baseline`);
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
