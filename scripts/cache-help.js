#!/usr/bin/env node
// Build step: renders the root help and version with oclif itself and stores them in
// dist/help-cache.json for bin/run.js's fast path. The Node version is a placeholder filled at run time.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (args, extraEnv) => {
  const env = { ...process.env, CRUDDUR_NO_FAST_PATH: '1', ...extraEnv };
  for (const name of ['OCLIF_COLUMNS', 'NO_COLOR', 'FORCE_COLOR']) if (!(name in extraEnv)) delete env[name];
  return execFileSync(process.execPath, [join(repo, 'bin', 'run.js'), ...args], { env, encoding: 'utf8' });
};
const version = run(['--version'], {}).trim();
const suffix = ` node-${process.version}`;
if (!version.endsWith(suffix)) throw new Error(`unexpected version line: ${version}`);
const placeholder = (text) => text.replaceAll(process.version, '%NODE_VERSION%');
const cache = {
  userAgentPrefix: version.slice(0, -suffix.length),
  width: 80,
  plain: placeholder(run(['--help'], {})),
  color: placeholder(run(['--help'], { FORCE_COLOR: '1' })),
};
writeFileSync(join(repo, 'dist', 'help-cache.json'), `${JSON.stringify(cache)}\n`);
