import { execa } from 'execa';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/tmp.js';

/**
 * The architecture as a test: dependency-cruiser checks src/ against .dependency-cruiser.cjs (layers, the domain
 * map, only src/aws imports the AWS SDK, only core/exec starts processes, no folder or module cycles).
 * docs/architecture.md draws the same map.
 */
describe('architecture rules (dependency-cruiser)', () => {
  it('src/ has no violation', async () => {
    const bin = join(REPO_ROOT, 'node_modules', '.bin', 'depcruise');
    const result = await execa(bin, ['src', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], { cwd: REPO_ROOT, reject: false });
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
  }, 180_000);
});
