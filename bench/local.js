#!/usr/bin/env node
// `cruddur local up`, cold (no data: initdb + bucket creation) and warm (data kept), in a temp copy of
// the fixture app; each followed by `local down`. Medians of N runs, against `node -e 0` in the same run.
// Usage: npm run build && node bench/local.js [runs=5]
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 5);
const app = mkdtempSync(join(tmpdir(), 'cruddur-bench-local-'));
cpSync(join(repo, 'test', 'fixtures', 'sample-app'), app, { recursive: true });
chmodSync(app, 0o755); // as root, PostgreSQL runs as `postgres`, which must be able to enter the app dir
mkdirSync(join(app, '.git'));
const timed = (args) => {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
};
const cli = (...args) => [join(repo, 'bin', 'run.js'), ...args];
const results = { 'node -e 0': [], 'local up (cold)': [], 'local up (warm)': [], 'local down': [] };
try {
  for (let i = 0; i < runs; i++) {
    results['node -e 0'].push(timed(['-e', '0']));
    results['local up (cold)'].push(timed(cli('local', 'up')));
    timed(cli('local', 'down'));
    results['local up (warm)'].push(timed(cli('local', 'up')));
    results['local down'].push(timed(cli('local', 'down', '--purge')));
  }
} finally {
  spawnSync(process.execPath, cli('local', 'down', '--purge'), { cwd: app });
  rmSync(app, { recursive: true, force: true });
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`local stack, ${runs} runs each, median wall ms (node ${process.version})`);
for (const [name, xs] of Object.entries(results)) console.log(`${name.padEnd(18)} ${median(xs).toFixed(0).padStart(6)} ms   (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`);
