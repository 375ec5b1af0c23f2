import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../test/support/tmp.js';

const run = promisify(execFile);
const DIST_PG = join(REPO_ROOT, 'dist', 'core', 'pg.js');

/** What a fresh Node process (the built module, as the CLI loads it) reports after `script`. */
async function inFreshNode(script: string): Promise<{ client: string; navigator: unknown; undici: boolean }> {
  const source = `${script}\nconsole.log(JSON.stringify({ client: typeof pg.Client, navigator: globalThis.navigator ?? null, undici: process.moduleLoadList.some((m) => m.includes('undici')) }));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', source], { cwd: REPO_ROOT });
  return JSON.parse(stdout) as { client: string; navigator: unknown; undici: boolean };
}

const nodeMajor = Number(process.versions.node.split('.')[0]);

describe('loadPg (the one way pg is loaded)', () => {
  it('loads pg without its Cloudflare probe loading undici, and leaves no navigator behind (Node 20)', async () => {
    const viaLoader = await inFreshNode(`import { loadPg } from ${JSON.stringify(DIST_PG)}; const pg = loadPg();`);
    expect(viaLoader.client).toBe('function');
    expect(viaLoader.undici).toBe(false);
    if (nodeMajor < 21) {
      expect(viaLoader.navigator).toBeNull();
      // The same load without the loader: pg's probe constructs a Response, which loads undici.
      const plain = await inFreshNode(`import { createRequire } from 'node:module'; const pg = createRequire(${JSON.stringify(DIST_PG)})('pg');`);
      expect(plain).toEqual({ client: 'function', navigator: null, undici: true });
    }
  });

  it('leaves a navigator that exists as it is', async () => {
    // A dynamic import, so the navigator is defined before the module loads (static imports are hoisted).
    const result = await inFreshNode(
      `Object.defineProperty(globalThis, 'navigator', { value: { userAgent: 'kept' }, configurable: true }); const { loadPg } = await import(${JSON.stringify(DIST_PG)}); const pg = loadPg();`,
    );
    expect(result.client).toBe('function');
    expect(result.navigator).toEqual({ userAgent: 'kept' });
  });
});
