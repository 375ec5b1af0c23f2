import { afterAll, beforeAll, expect } from 'vitest';
import { settledCommands } from './command.js';

/**
 * Set-up of every e2e test file (vitest.config.ts). The e2e files share a worker's modules and process
 * (isolate: false: each file no longer re-imports oclif, the SDK and the dist modules), so a file must hand the
 * process back as it found it: runCommand calls ended (one still running after a failure would keep process.env
 * and the cwd swapped into the next file), the same cwd and the same environment. A file that does not fails
 * here, naming what it left, instead of a later file failing for no reason of its own.
 */
let before: { cwd: string; env: Record<string, string | undefined> };

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
  expect({ cwd, changedVariables: changed }, 'the file left this process changed').toEqual({ cwd: before.cwd, changedVariables: [] });
});
