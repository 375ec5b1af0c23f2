import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Seconds the slowest files took on a quiet 2-core machine (2026-11-30 11:19: three workers shared by every file,
 * temp folders on tmpfs, clusters copied from a template, one s3rver per worker). On a fresh clone vitest
 * has no timings of its own and starts the largest files first, which put the small-but-slow bad-input corpus
 * last, alone on the machine: the longest files start first instead (longest-processing-time-first, the
 * classic bound for packing jobs onto workers). Timings vitest recorded itself, when it has them, win.
 */
const SECONDS: Record<string, number> = {
  'test/exit-codes.e2e.test.ts': 43,
  'test/demo.e2e.test.ts': 37,
  'test/reliability/faults.e2e.test.ts': 26,
  'test/reliability/crash.e2e.test.ts': 25,
  'test/db/psql-differential.test.ts': 23,
  'test/bad-input/bad-input.e2e.test.ts': 20,
  'test/reliability/interrupt.e2e.test.ts': 16,
  'test/db.test.ts': 14,
  'test/avatar-s3.test.ts': 14,
  'test/avatar-bootcamp.e2e.test.ts': 13,
  'test/local.e2e.test.ts': 11,
  'test/frontend/sync.test.ts': 11,
  'src/frontend/sync-options.test.ts': 10,
  'test/prepare.e2e.test.ts': 8,
  'test/secrets.e2e.test.ts': 8,
  'test/architecture.test.ts': 7,
  'test/reliability/guards.e2e.test.ts': 6,
  'test/frontend/workflow.e2e.test.ts': 6,
  'test/root-private-folder.e2e.test.ts': 5,
  'test/db/tls-differential.test.ts': 5,
  'test/local-listen.e2e.test.ts': 5,
};

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const ordered = await super.sort(files);
    const seconds = (spec: TestSpecification): number => {
      const path = relative(this.ctx.config.root, spec.moduleId);
      const cached = this.ctx.cache.getFileTestResults(`${spec.project.name}:${path}`);
      return cached ? cached.duration / 1000 : (SECONDS[path] ?? 0);
    };
    // Array.prototype.sort is stable: files with equal weight keep vitest's own order.
    return ordered.map((spec) => ({ spec, s: seconds(spec) })).sort((a, b) => b.s - a.s).map(({ spec }) => spec);
  }
}
