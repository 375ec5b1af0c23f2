import { createRequire } from 'node:module';

type Pg = typeof import('pg');

const requireFromHere = createRequire(import.meta.url);
let loaded: Pg | undefined;

/**
 * node-postgres, loaded once: the one way cruddur loads `pg` at run time (src/db and src/local alike).
 *
 * - With `require`, not `import()`: pg is CommonJS, and on Node 20 an `import()` of it also runs each of its
 *   modules through the ESM loader's format detection and export lexer (the same reason src/aws/sdk.ts uses
 *   `require` for the SDK).
 * - pg decides at load time whether it runs in a Cloudflare Worker (lib/stream.js, `isCloudflareRuntime`): it
 *   reads `navigator.userAgent` and, where there is no `navigator` (Node 20; Node 21 and later define one with the
 *   user agent `Node.js/<major>`), constructs a `Response`, which loads Node's bundled undici (42 ms of a
 *   `db status` profile). For the length of that load, a `navigator` like Node 21's answers the check instead; it is
 *   removed again at once, so nothing else sees it. Where `navigator` exists already it is left as it is.
 * - Both together: `db status` on a running local server, median CPU 0.49 s against 0.55 s and peak RSS 63 MiB
 *   against 67 MiB (bench/RESULTS.md, fourth stop, "pg's load", 2026-11-30).
 *
 * @returns the `pg` module (its `default` export's shape: `Client`, `Pool`, `types`, ...).
 */
export function loadPg(): Pg {
  if (loaded) return loaded;
  const shim = !('navigator' in globalThis);
  if (shim) {
    Object.defineProperty(globalThis, 'navigator', {
      value: { userAgent: `Node.js/${process.versions.node.split('.')[0]}` },
      configurable: true,
      writable: true,
    });
  }
  try {
    loaded = requireFromHere('pg') as Pg;
  } finally {
    if (shim) delete (globalThis as { navigator?: unknown }).navigator;
  }
  return loaded;
}
