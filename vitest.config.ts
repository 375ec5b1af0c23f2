import { defineConfig } from 'vitest/config';
import LongestFirst from './test/support/sequencer.js';

export default defineConfig({
  test: {
    projects: [
      // Unit files stay isolated: sharing a worker saved 34 s of CPU, but two runs of about fifteen failed in s3rver
      // cases (a HeadBucket for a missing bucket answered 200; a byte-exact upload) with no cause found.
      { extends: true, test: { name: 'unit', include: ['src/**/*.test.ts'] } },
      // e2e files share a worker (each isolated file re-imported oclif, the SDK and dist/: ~70 s of the run's
      // CPU); test/support/e2e-file.ts fails a file that leaves the process changed for the next one.
      { extends: true, test: { name: 'e2e', include: ['test/**/*.test.ts'], isolate: false, setupFiles: ['test/support/e2e-file.ts'] } },
    ],
    // Four files at a time on two cores: the end-to-end files spend much of their time waiting (child
    // processes starting, s3rver writing to disk, latency proxies, timeouts under test), so two workers left
    // the cores idle. Measured in bench/RESULTS.md ("Test suite").
    maxWorkers: 4,
    // One PostgreSQL for the run (test/support/postgres.ts hands it out): initdb + start + stop per file cost ~2 s of CPU.
    globalSetup: ['test/support/global-postgres.ts'],
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
