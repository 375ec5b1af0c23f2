#!/usr/bin/env node
// `npm run demo`: the whole job on a laptop with nothing but Node (no AWS account, no Docker), in a temp
// copy of the fixture app: local stack up, bootstrap with the database, the DynamoDB messages table loaded and
// seeded, a thumbnail made locally and one through the upload pipeline, the frontend built and synced to the local S3, doctor, local down.
import { spawn } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import avatarStep from './demo/avatar.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const keep = process.argv.includes('--keep');
const log = (line = '') => process.stdout.write(`${line}\n`);
const parseEnv = (text) =>
  Object.fromEntries(text.split('\n').map((l) => /^([A-Z0-9_]+)=(.*)$/.exec(l.trim())).filter(Boolean).map((m) => [m[1], m[2]]));

const appDir = await mkdtemp(join(tmpdir(), 'cruddur-demo-'));
// As root, the embedded PostgreSQL runs as `postgres`, which must be able to enter the app dir.
await chmod(appDir, 0o755);
await cp(join(repo, 'test', 'fixtures', 'sample-app'), appDir, { recursive: true });
await mkdir(join(appDir, '.git'));
// The app's settings, minus CONNECTION_URL: the local stack provides it (.cruddur/local.env).
const { CONNECTION_URL: _unused, ...env } = parseEnv(await readFile(join(appDir, 'demo.env'), 'utf8'));
// Only the demo's own variables reach cruddur: no AWS credentials or endpoints from this shell.
const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && k !== 'CONNECTION_URL'));

/** Echoes a child's output indented by two spaces, line by line across chunk boundaries. */
function indenter(stream) {
  let atStart = true;
  return (chunk) => {
    let out = '';
    for (const ch of String(chunk)) {
      if (atStart && ch !== '\n') out += '  ';
      out += ch;
      atStart = ch === '\n';
    }
    stream.write(out);
  };
}

// Ctrl-C (or a CI runner's SIGTERM) stops the step that is running, then the `finally` below still takes the
// stack down and removes the temp app: an interrupted demo leaves no server behind.
let current;
let interrupted;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = signal;
    process.stderr.write(`\n${signal}: stopping the demo and its local stack\n`);
    current?.kill(signal);
  });
}

/** Runs the built CLI in the demo app, echoing its output; resolves {exitCode, stdout, stderr}. */
function cli(args, extraEnv = {}) {
  log(`$ cruddur ${args.join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repo, 'bin', 'run.js'), ...args], {
      cwd: appDir,
      env: { ...base, ...env, ...extraEnv, CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    current = child;
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

async function must(args, extraEnv) {
  if (interrupted) throw new Error(`interrupted (${interrupted})`);
  const result = await cli(args, extraEnv);
  if (interrupted) throw new Error(`interrupted (${interrupted})`);
  if (result.exitCode !== 0) throw new Error(`cruddur ${args.join(' ')} exited ${result.exitCode}`);
  log();
  return result;
}

let failed = false;
try {
  log(`cruddur demo in ${appDir}\n`);
  await must(['local', 'up']);
  await must(['bootstrap', '--db']);
  // The messages table (the bootcamp's bin/ddb/schema-load and seed) on the stack's DynamoDB.
  await must(['ddb', 'schema-load']);
  await must(['ddb', 'seed']);
  const scan = await must(['ddb', 'scan', 'cruddur-messages', '--json']);
  log(`DynamoDB: ${JSON.parse(scan.stdout).count} items in cruddur-messages\n`);
  await avatarStep({ cli, appDir, env, log });
  log();
  await must(['avatar', 'upload', 'bin/avatar/files/data.jpg', '--wait', '--timeout', '30']);
  await must(['frontend', 'static-build']);
  await must(['frontend', 'sync', '--auto-approve']);
  await must(['doctor', '--timeout', '5000']);
  log('demo finished: everything above ran locally, with no AWS account and no Docker.');
} catch (error) {
  failed = true;
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
} finally {
  await cli(['local', 'down', ...(keep ? [] : ['--purge'])]);
  if (keep) log(`(kept ${appDir}; the stack is stopped, its data kept)`);
  else await rm(appDir, { recursive: true, force: true });
}
// A signal's conventional exit status (128 + its number), as a shell reports it.
process.exitCode = interrupted ? (interrupted === 'SIGINT' ? 130 : 143) : failed ? 1 : 0;
