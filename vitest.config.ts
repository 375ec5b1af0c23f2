import { accessSync, constants, statfsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';
import LongestFirst from './test/support/sequencer.js';

/**
 * The tests' temp folders (apps, s3rver data, PostgreSQL clusters, all made under os.tmpdir()) go to /dev/shm when it
 * is a writable tmpfs with 4 GiB free, unless TMPDIR is set. On this disk a CREATE DATABASE cost 155-265 ms of kernel
 * time against 35 ms on tmpfs, and the run makes hundreds (bench/RESULTS.md, "Test suite"). The run holds up to
 * ~1.5 GB there at once (the psql differential's 114 databases, the exit-code test's seven clusters); a container's
 * small /dev/shm (Docker gives 64 MiB) keeps the default. Workers and their children inherit TMPDIR.
 */
function tmpfsTempDir(): string | undefined {
  const TMPFS_MAGIC = 0x01021994;
  const NEEDED_BYTES = 4 * 1024 ** 3;
  try {
    accessSync('/dev/shm', constants.W_OK);
    const fs = statfsSync('/dev/shm');
    return fs.type === TMPFS_MAGIC && fs.bavail * fs.bsize >= NEEDED_BYTES ? '/dev/shm' : undefined;
  } catch {
    return undefined;
  }
}
const tmpfs = process.env.TMPDIR ? undefined : tmpfsTempDir();
if (tmpfs) process.env.TMPDIR = tmpfs;

export default defineConfig({
  test: {
    // One project for unit (src/) and end-to-end (test/) files: as two projects each kept workers of its own,
    // and the run took 239 s instead of 199 s (bench/RESULTS.md, "Test suite").
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Files share a worker (an isolated file re-imports oclif, the SDK and dist/: the unit files alone took 98 s
    // of CPU isolated, 59 s sharing); test/support/shared-worker.ts fails a file that leaves the process changed
    // for the next one (cwd, a variable, a running command, an SDK client left stubbed by aws-sdk-client-mock).
    isolate: false,
    setupFiles: ['test/support/shared-worker.ts'],
    // Three files at a time on two cores. With every file sharing its worker and temp folders on tmpfs, the run is
    // CPU-bound: each worker imports oclif, the SDK and dist/ once (a fourth cost ~10 s of CPU more and gained no
    // overlap; two left the cores idle while children started). Measured in bench/RESULTS.md ("Test suite").
    maxWorkers: 3,
    // One PostgreSQL for the run (test/support/postgres.ts hands it out): initdb + start + stop per file cost ~2 s of CPU.
    globalSetup: ['test/support/global-setup.ts'],
    sequence: { sequencer: LongestFirst },
    // The JSON report lets .ci/run print a plain 'N passed, N failed' closing line.
    reporters: ['default', ['json', { outputFile: 'coverage/last-run.json' }]],
    // Generous bounds: with four files at a time a CPU-heavy case (2,500 objects through s3rver, the demo)
    // takes several times its quiet-machine time, and a case cut short leaves its child running into the next.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
