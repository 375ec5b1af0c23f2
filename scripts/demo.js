#!/usr/bin/env node
// `npm run demo`: the main job on embedded defaults, no AWS and no Docker. Copies the fixture app to a
// temp dir and runs cruddur there as a user would. Each later capability adds a step in scripts/demo/.
import { spawn } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const keep = process.argv.includes('--keep');
const STEPS = ['db', 'avatar', 'frontend', 'doctor'];

const log = (line = '') => process.stdout.write(`${line}\n`);
const parseEnv = (text) =>
  Object.fromEntries(text.split('\n').map((l) => /^([A-Z0-9_]+)=(.*)$/.exec(l.trim())).filter(Boolean).map((m) => [m[1], m[2]]));

const appDir = await mkdtemp(join(tmpdir(), 'cruddur-demo-'));
// As root, the embedded PostgreSQL runs as `postgres`, which must be able to enter the app dir.
await chmod(appDir, 0o755);
await cp(join(repo, 'test', 'fixtures', 'sample-app'), appDir, { recursive: true });
await mkdir(join(appDir, '.git'));
const env = parseEnv(await readFile(join(appDir, 'demo.env'), 'utf8'));

/** Echoes a child's output indented by two spaces, line by line across chunk boundaries. */
function indenter(stream) {
  let atStart = true;
  return (chunk) => {
    const text = String(chunk);
    let out = '';
    for (const ch of text) {
      if (atStart && ch !== '\n') out += '  ';
      out += ch;
      atStart = ch === '\n';
    }
    stream.write(out);
  };
}

/** Runs the built CLI in the demo app, echoing its output indented; resolves {exitCode, stdout, stderr}. */
function cli(args, extraEnv = {}) {
  log(`$ cruddur ${args.join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repo, 'bin', 'run.js'), ...args], {
      cwd: appDir,
      env: { ...process.env, ...env, ...extraEnv, CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const echoOut = indenter(process.stdout);
    const echoErr = indenter(process.stderr);
    child.stdout.on('data', (d) => {
      stdout += d;
      if (!args.includes('--json')) echoOut(d);
    });
    child.stderr.on('data', (d) => {
      stderr += d;
      echoErr(d);
    });
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ exitCode, stdout, stderr }));
  });
}

let failed = false;
try {
  log(`cruddur demo in ${appDir}\n`);
  const generated = await cli(['env', 'generate']);
  if (generated.exitCode !== 0) throw new Error('env generate failed');
  for (const name of STEPS) {
    const file = join(repo, 'scripts', 'demo', `${name}.js`);
    if (!existsSync(file)) continue;
    log();
    const { default: step } = await import(file);
    await step({ cli, appDir, env, log });
  }
  log('\ndemo finished: everything above ran locally, with no AWS account and no Docker.');
} catch (error) {
  failed = true;
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
} finally {
  if (keep) log(`(kept ${appDir})`);
  else await rm(appDir, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
