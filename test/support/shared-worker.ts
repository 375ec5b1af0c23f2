import { createRequire } from 'node:module';
import { afterAll, beforeAll, expect } from 'vitest';
import { settledCommands } from './command.js';

/**
 * Set-up of every test file (vitest.config.ts). Files share a worker's modules and process (isolate: false: each
 * file no longer re-imports oclif, the SDK and the dist modules), so a file must hand the process back as it found
 * it: runCommand calls ended (one still running after a failure would keep process.env and the cwd swapped into the
 * next file), the same cwd, the same environment, and no AWS SDK client class left stubbed (aws-sdk-client-mock's
 * `mockClient(S3Client)` replaces `S3Client.prototype.send` until `restore()`: a later file's real S3 calls then
 * resolve to `undefined`, which read as a HeadBucket answering 200). A file that does not fails here, naming what
 * it left, instead of a later file failing for no reason of its own.
 */
let before: { cwd: string; env: Record<string, string | undefined> };

/**
 * Names of the loaded SDK client classes whose prototype has its own `send` shadowing an inherited one: a stub.
 * The real `send` lives on smithy's base Client (also exported, as `__Client`), which every service client extends.
 */
function stubbedSdkClients(): string[] {
  const cache = createRequire(import.meta.url).cache;
  const stubbed: string[] = [];
  for (const [path, module] of Object.entries(cache)) {
    if (!/[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-cjs[\\/]index\.js$/.test(path)) continue;
    for (const [name, value] of Object.entries((module?.exports ?? {}) as Record<string, unknown>)) {
      if (!name.endsWith('Client') || typeof value !== 'function') continue;
      const prototype = value.prototype as object;
      if (Object.hasOwn(prototype, 'send') && 'send' in Object.getPrototypeOf(prototype)) stubbed.push(name);
    }
  }
  return stubbed.sort();
}

beforeAll(() => {
  before = { cwd: process.cwd(), env: { ...process.env } };
});

afterAll(async () => {
  await settledCommands();
  // Libraries that set a variable once per process when loaded (sharp sets VIPSHOME) are not a file's doing.
  const changed = Object.keys({ ...before.env, ...process.env }).filter((k) => before.env[k] !== process.env[k] && k !== 'VIPSHOME');
  const cwd = process.cwd();
  process.chdir(before.cwd);
  for (const key of changed) {
    if (before.env[key] === undefined) delete process.env[key];
    else process.env[key] = before.env[key];
  }
  expect({ cwd, changedVariables: changed, stubbedSdkClients: stubbedSdkClients() }, 'the file left this process changed').toEqual({
    cwd: before.cwd,
    changedVariables: [],
    stubbedSdkClients: [],
  });
});
