#!/usr/bin/env node
// Start-up cost of the CLI against a bare `node -e 0`, alternating runs in one process, medians.
// `--help`/`--version` use the build-time cache; `env generate --help` goes through oclif (manifest, no
// command import of heavy modules) and shows what every real command pays.
// Usage: npm run build && node bench/startup.js [runs=15]
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 15);
const cli = join(repo, 'bin', 'run.js');
const cases = {
  'node -e 0': ['-e', '0'],
  'cruddur --help': [cli, '--help'],
  'cruddur --version': [cli, '--version'],
  'cruddur env generate --help (oclif)': [cli, 'env', 'generate', '--help'],
  'cruddur --help (oclif, no cache)': [cli, '--help'],
};
const envFor = (name) => (name.includes('no cache') ? { ...process.env, CRUDDUR_NO_FAST_PATH: '1' } : process.env);
const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
const once = (name) => {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, cases[name], { env: envFor(name), stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`${name} exited ${r.status}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
};
for (const name of Object.keys(cases)) once(name); // warm-up
for (let i = 0; i < runs; i++) for (const name of Object.keys(cases)) times[name].push(once(name));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(times['node -e 0']);
console.log(`startup, ${runs} alternating runs each, median wall ms (node ${process.version}, ${process.platform}-${process.arch})`);
for (const name of Object.keys(cases)) {
  const m = median(times[name]);
  console.log(`${name.padEnd(40)} ${m.toFixed(1).padStart(7)} ms  ${(m / base).toFixed(2)}x node -e 0`);
}
