import { AsyncLocalStorage } from 'node:async_hooks';
import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { assertNoSecrets, cliEnv, type CliResult, type RunCliOptions } from './cli.js';
import { REPO_ROOT } from './tmp.js';

type Oclif = typeof import('@oclif/core');

let loaded: Promise<{ oclif: Oclif; config: import('@oclif/core').Config; exit: { exit(code?: number): void } }> | undefined;
let queue: Promise<unknown> = Promise.resolve();

/** The running command's captured output: set for the command's own async context only. */
const capture = new AsyncLocalStorage<{ out: string[]; err: string[]; console: Console }>();

class ExitSignal extends Error {
  code = 'EEXIT';
  skipOclifErrorHandling = true;
  oclif: { exit: number };
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
    this.oclif = { exit: exitCode };
  }
}

const LISTENED: Array<[NodeJS.EventEmitter, string]> = [
  [process.stdout, 'drain'],
  [process.stderr, 'drain'],
  [process, 'SIGINT'],
  [process, 'SIGTERM'],
  [process, 'exit'],
  [process, 'beforeExit'],
];

function setStreamShape(out: boolean | undefined, err: boolean | undefined, columns: number | undefined): void {
  Object.defineProperty(process.stdout, 'isTTY', { value: out, configurable: true, writable: true });
  Object.defineProperty(process.stderr, 'isTTY', { value: err, configurable: true, writable: true });
  Object.defineProperty(process.stdout, 'columns', { value: columns, configurable: true, writable: true });
}

function load() {
  loaded ??= (async () => {
    const oclif = await import('@oclif/core');
    const config = await oclif.Config.load({ root: REPO_ROOT });
    const handle = (await import(pathToFileURL(join(REPO_ROOT, 'node_modules/@oclif/core/lib/errors/handle.js')).href)) as { Exit: { exit(code?: number): void } };
    return { oclif, config, exit: handle.Exit };
  })();
  return loaded;
}

/** Resolves when every runCommand call started so far has ended (its environment, cwd and streams restored). */
export function settledCommands(): Promise<void> {
  return queue.then(() => undefined);
}

/**
 * Runs a built command in this test process: the oclif `execute` that `bin/run.js` ends in, on the same
 * `dist/` modules and manifest, with the child's environment of `runCli` (cliEnv), its cwd, and stdout/stderr
 * captured as pipes (no TTY). Returns what `runCli` returns: the exit code a process would have ended with
 * (`process.exitCode`, or the code given to `process.exit`/oclif's exit), stdout and stderr.
 *
 * A process costs 0.4-0.6 s of CPU before the command's first line (node, oclif, the AWS SDK): this costs that
 * once per test worker (test files share workers). Use it for what a command says and does; use `runCli` where
 * the process is the subject: exit codes on cold paths, signals, stdin, start-up, `bin/run.js`'s help cache.
 * Calls run one at a time (they share process.env, the cwd and the streams). Listeners a call leaves on
 * `process` and the streams (oclif's flush, the interrupt handler) are removed, as a process exit would.
 * Module state lives on between calls (the redactor's secrets only grow: more is hidden, never less). Not seen
 * in-process, so `runCli` is needed for them: signals (the interrupt handler installs once per process and its
 * listeners are removed after the first call), and the output of children a command starts with inherited stdio
 * (`db connect`'s psql, `frontend static-build`'s npm), which goes to the test's own file descriptors.
 * The test's own code keeps writing to the real streams while a call runs (output is captured by async
 * context), but it shares process.env with the call: a test must not change process.env while one runs.
 * `bad-input.e2e.test.ts` runs a sample of its corpus both ways and asserts identical results.
 */
export function runCommand(args: string[], options: Omit<RunCliOptions, 'input' | 'bin'> = {}): Promise<CliResult> {
  const next = queue.then(() => runOnce(args, options));
  queue = next.catch(() => undefined);
  return next;
}

async function runOnce(args: string[], options: Omit<RunCliOptions, 'input' | 'bin'>): Promise<CliResult> {
  const { oclif, config, exit } = await load();
  const out: string[] = [];
  const err: string[] = [];
  const saved = {
    env: { ...process.env },
    cwd: process.cwd(),
    exitCode: process.exitCode,
    exit: process.exit,
    oclifExit: exit.exit,
    stdout: process.stdout.write,
    stderr: process.stderr.write,
    console: globalThis.console,
  };
  const listeners = LISTENED.map(([emitter, event]) => [emitter, event, emitter.listeners(event)] as const);
  const tty = { out: process.stdout.isTTY, err: process.stderr.isTTY, columns: process.stdout.columns };
  let code: number | undefined;
  // The child's environment is read from this process's before it is cleared: PATH, HOME, TMPDIR, CRUDDUR_CACHE_DIR.
  const env = cliEnv(options.env);
  for (const key of Object.keys(process.env)) delete process.env[key];
  for (const [key, value] of Object.entries(env)) if (value !== undefined) process.env[key] = value;
  process.chdir(options.cwd ?? REPO_ROOT);
  process.exitCode = undefined;
  process.exit = ((c?: number) => {
    throw new ExitSignal(c ?? 0);
  }) as typeof process.exit;
  exit.exit = (c = 0) => {
    code = c;
  };
  // A child's stdout and stderr are pipes: no TTY, no width (plain tables, no spinners).
  setStreamShape(undefined, undefined, undefined);
  // Only what the command writes (its own async context) is captured; the test's servers and handlers
  // running meanwhile (an s3rver, a Lambda handler playing the trigger) write to the real streams.
  const sink = (stream: 'out' | 'err', original: typeof process.stdout.write) =>
    function (this: unknown, chunk: unknown, encoding?: unknown, cb?: unknown) {
      const store = capture.getStore();
      if (!store) return (original as (...a: unknown[]) => boolean).call(process[stream === 'out' ? 'stdout' : 'stderr'], chunk, encoding, cb);
      store[stream].push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      const done = typeof encoding === 'function' ? encoding : cb;
      if (typeof done === 'function') (done as () => void)();
      return true;
    } as typeof process.stdout.write;
  process.stdout.write = sink('out', saved.stdout);
  process.stderr.write = sink('err', saved.stderr);
  const stream = (into: string[]) => new Writable({ write: (chunk, _e, cb) => (into.push(String(chunk)), cb()) });
  const captured = { out, err, console: new Console({ stdout: stream(out), stderr: stream(err) }) };
  globalThis.console = new Proxy(saved.console, {
    get(target, prop) {
      const own = capture.getStore()?.console ?? target;
      const value = Reflect.get(own, prop) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(own) : value;
    },
  });
  let timer: NodeJS.Timeout | undefined;
  const limit = options.timeoutMs ?? 60_000;
  try {
    await Promise.race([
      capture.run(captured, () => oclif.execute({ args, loadOptions: config })),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`cruddur ${args.join(' ')} did not finish within ${limit} ms (in-process)`)), limit);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    code ??= typeof process.exitCode === 'number' ? process.exitCode : 0;
    setStreamShape(tty.out, tty.err, tty.columns);
    // What a process would have dropped at exit: oclif's flush() leaves a 'drain' listener per call, the
    // interrupt handler listens for SIGINT/SIGTERM. Listeners the call added are removed.
    for (const [emitter, event, before] of listeners) {
      for (const listener of emitter.listeners(event)) if (!before.includes(listener)) emitter.removeListener(event, listener as (...a: unknown[]) => void);
    }
    process.stdout.write = saved.stdout;
    process.stderr.write = saved.stderr;
    globalThis.console = saved.console;
    process.exit = saved.exit;
    exit.exit = saved.oclifExit;
    process.exitCode = saved.exitCode;
    process.chdir(saved.cwd);
    for (const key of Object.keys(process.env)) delete process.env[key];
    Object.assign(process.env, saved.env);
  }
  // runCli's execa strips one final newline: so does this.
  const text = (parts: string[]) => parts.join('').replace(/\r?\n$/, '');
  const result: CliResult = { exitCode: code, stdout: text(out), stderr: text(err) };
  assertNoSecrets(result.stdout, `stdout of cruddur ${args.join(' ')}`);
  assertNoSecrets(result.stderr, `stderr of cruddur ${args.join(' ')}`);
  return result;
}
