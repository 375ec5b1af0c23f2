import { createRequire } from 'node:module';

const requireFromHere = createRequire(import.meta.url);

/**
 * Loads an AWS SDK package (`@aws-sdk/*`, `@smithy/*`: all CommonJS) with `require`, the one way src/aws loads
 * them at run time. On Node 20, `import()` of a CommonJS package sends its modules through the ESM loader
 * (each file's format detected by parsing it, then the CommonJS export lexer) on top of the CommonJS compile:
 * `@aws-sdk/client-s3` loads with about 40% less CPU with `require` (bench/RESULTS.md, frontend sync,
 * 2026-11-30). Same module instances as an `import()` of the package (one CommonJS cache).
 *
 * @example const { S3Client } = loadSdk<typeof import('@aws-sdk/client-s3')>('@aws-sdk/client-s3');
 */
export function loadSdk<T>(id: string): T {
  return requireFromHere(id) as T;
}
