// Runs the reliability suite (test/reliability: injected S3 faults, SIGKILL crash points, Ctrl-C, production
// guards and dry runs) against the built CLI and prints the figures the tests counted, as Markdown for
// bench/RESULTS.md. Needs `npm run build` first.
//
//   node bench/reliability.js
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'cruddur-reliability-'));
const read = (name) => {
  const file = join(dir, `${name}.json`);
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
};

let failed = false;
const started = performance.now();
try {
  execFileSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', 'test/reliability', '--reporter=dot'], {
    env: { ...process.env, CRUDDUR_RELIABILITY_FIGURES: dir },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
} catch {
  failed = true;
}
const seconds = ((performance.now() - started) / 1000).toFixed(1);
const faults = read('faults');
const crash = read('crash');
const interrupt = read('interrupt');
const guards = read('guards');
rmSync(dir, { recursive: true, force: true });

const lines = [
  `### Reliability (${new Date().toISOString().slice(0, 10)}, ${process.platform}, Node ${process.versions.node}; suite ${failed ? 'FAILED' : 'passed'} in ${seconds} s)`,
  '',
  '| figure | value |',
  '| --- | --- |',
];
if (faults) {
  lines.push(
    `| injected-fault runs passed | ${faults.passed} of ${faults.runs} (frontend sync, avatar upload --wait, avatar clear --all) |`,
    `| faults injected | ${faults.injected} of ${faults.requests} S3 requests (${faults.slowDown} × 503 SlowDown, ${faults.internalError} × 500, ${faults.reset} resets) |`,
    `| calls that succeeded after retries (shown at --verbose) | ${faults.retriedCalls} |`,
  );
}
if (crash) {
  lines.push(
    `| SIGKILL points tried (frontend sync apply) | ${crash.killPoints}; converged ${crash.converged} |`,
    `| unplanned deletes | ${crash.unplannedDeletes} |`,
    `| changed keys left un-invalidated after the re-run | ${crash.missingInvalidations} |`,
    `| objects compared byte for byte after re-runs | ${crash.objectsCompared} |`,
  );
}
if (interrupt) lines.push(`| Ctrl-C runs (sync mid-upload and mid-multipart, avatar upload mid-multipart, migrate mid-statement) | ${interrupt.interrupts}; exit 130: ${interrupt.exit130}; temp files left: ${interrupt.tempFilesLeft} |`);
if (guards) {
  lines.push(
    `| destructive commands refusing without a TTY | ${guards.refusals} (${guards.guardedCommands.join(', ')}) |`,
    `| dry runs checked | ${guards.dryRuns.length} (${guards.dryRuns.join(', ')}); writes seen: ${guards.writesDuringDryRuns} |`,
  );
}
if (crash?.tried) lines.push('', `Kill points: ${crash.tried.join('; ')}.`);
console.log(`\n${lines.join('\n')}`);
process.exitCode = failed ? 1 : 0;
