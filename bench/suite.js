#!/usr/bin/env node
// The test suite's time (issue 13: at most 150 s on 2 cores), measured so that the box's own drift cancels out:
// a clean clone of a baseline revision and one of the revision under test (each `npm ci` and built once, nothing
// beside them), then `vitest run` in each in turn (A B A B ...), CI=true. Prints each run's vitest duration and the
// whole machine's busy CPU (/proc/stat, so the PostgreSQL daemons and detached stacks count), the medians, and the
// ratio pair by pair: on these shared boxes the same code's duration moves by 10-15% between runs half an hour
// apart (bench/RESULTS.md, "Test suite"), so a single absolute time says little about a change.
// Usage: node bench/suite.js --base <rev> [--head <rev>=HEAD] [--runs N=3] [--keep]
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: { base: { type: 'string' }, head: { type: 'string', default: 'HEAD' }, runs: { type: 'string', default: '3' }, keep: { type: 'boolean', default: false } },
});
if (!values.base) {
  console.error('Error: no baseline revision\nTry: node bench/suite.js --base <commit> [--head HEAD] [--runs 3]');
  process.exit(2);
}
const runs = Number(values.runs);
const work = mkdtempSync(join(tmpdir(), 'cruddur-bench-suite-'));
// mkdtemp makes it 0700; as root the tests' PostgreSQL runs as `postgres`, which must reach the clones' binaries.
chmodSync(work, 0o755);
const cleanup = () => {
  if (!values.keep) rmSync(work, { recursive: true, force: true });
};
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

function sh(cmd, args, cwd, env = process.env) {
  const r = spawnSync(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Busy CPU seconds of the whole machine so far (user+nice+system+irq+softirq+steal, /proc/stat). */
function busySeconds() {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = fields;
  return (user + nice + system + irq + softirq + steal) / 100;
}

/** A clean clone of `rev` in its own folder, installed and built as .ci/run does. */
function prepare(name, rev) {
  const dir = join(work, name);
  sh('git', ['clone', '--quiet', '--no-hardlinks', repo, dir], work);
  sh('git', ['checkout', '--quiet', rev], dir);
  const commit = sh('git', ['rev-parse', '--short', 'HEAD'], dir).trim();
  sh('npm', ['ci', '--no-audit', '--no-fund'], dir);
  sh('npm', ['run', 'build', '--silent'], dir);
  return { name, rev, commit, dir, durations: [], busy: [] };
}

/** One `vitest run` in the clone: vitest's own duration (s) from its summary, and the machine's busy CPU (s). */
function once(clone) {
  const before = busySeconds();
  const r = spawnSync(process.execPath, [join(clone.dir, 'node_modules', 'vitest', 'vitest.mjs'), 'run'], {
    cwd: clone.dir,
    env: { ...process.env, CI: 'true', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const busy = busySeconds() - before;
  const plain = `${r.stdout}\n${r.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
  const duration = /Duration\s+([\d.]+)s/.exec(plain)?.[1];
  if (r.status !== 0 || duration === undefined) throw new Error(`vitest run failed in ${clone.name} (${clone.commit}), exit ${r.status}:\n${plain.slice(-4000)}`);
  return { duration: Number(duration), busy };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  const clones = [prepare('base', values.base), prepare('head', values.head)];
  const ratios = [];
  console.log(`test suite, ${runs} alternating runs of each clean clone (node ${process.version}, ${process.platform}-${process.arch})`);
  for (let i = 0; i < runs; i++) {
    const pair = clones.map((clone) => {
      const result = once(clone);
      clone.durations.push(result.duration);
      clone.busy.push(result.busy);
      console.log(`  run ${i + 1} ${clone.name.padEnd(4)} ${clone.commit}  ${result.duration.toFixed(1).padStart(6)} s  busy CPU ${result.busy.toFixed(0).padStart(4)} s`);
      return result.duration;
    });
    ratios.push(pair[1] / pair[0]);
  }
  for (const clone of clones) {
    console.log(`${clone.name} ${clone.commit} (${clone.rev}): median ${median(clone.durations).toFixed(1)} s, busy CPU median ${median(clone.busy).toFixed(0)} s`);
  }
  console.log(`head/base, pair by pair: ${ratios.map((r) => r.toFixed(3)).join(' ')}; median ${median(ratios).toFixed(3)}`);
} finally {
  cleanup();
}
