import { isInteractive } from './output.js';
import { redact } from './redact.js';

export type TaskStatus = 'done' | 'skipped' | 'failed';

/** One step of a task list (bootstrap, db setup). `skip` returns a reason to skip, or undefined to run. */
export interface Task<C = void> {
  id: string;
  title: string;
  skip?: (context: C) => string | undefined | Promise<string | undefined>;
  run: (context: C, report: (output: string) => void) => Promise<string | void>;
}

export interface TaskOutcome {
  id: string;
  title: string;
  status: TaskStatus;
  /** Why it was skipped, what it did, or why it failed. */
  detail?: string;
}

export interface RunTasksOptions {
  /** Keep going after a failure (bootstrap) or stop at the first one (db setup). */
  exitOnError: boolean;
  /** No terminal rendering at all (--json). */
  silent?: boolean;
}

/**
 * Runs tasks in order through listr2: a live list on a TTY, plain lines in CI or when piped, and
 * nothing with `silent`. Returns one outcome per task; failures are reported in the outcome and
 * re-thrown after the list when `exitOnError` is set.
 */
export async function runTasks<C>(tasks: Array<Task<C>>, context: C, options: RunTasksOptions): Promise<TaskOutcome[]> {
  const { Listr, ProcessOutput } = await import('listr2');
  // Task lists draw on stderr (stdout stays for results and --json), every chunk redacted.
  const stderr = Object.create(process.stderr, {
    write: { value: (chunk: unknown, ...rest: unknown[]) => (process.stderr.write as (...a: unknown[]) => boolean)(redact(String(chunk)), ...rest) },
  }) as NodeJS.WriteStream;
  const processOutput = new ProcessOutput(stderr, stderr);
  const outcomes: TaskOutcome[] = tasks.map((t) => ({ id: t.id, title: t.title, status: 'skipped', detail: 'not reached' }));
  let firstError: unknown;
  const list = new Listr(
    tasks.map((task, index) => ({
      title: task.title,
      task: async (_ctx: unknown, listrTask: { title: string; output: string; skip(message?: string): void }) => {
        const outcome = outcomes[index] as TaskOutcome;
        const reason = await task.skip?.(context);
        if (reason !== undefined) {
          outcome.status = 'skipped';
          outcome.detail = reason;
          listrTask.skip(reason);
          return;
        }
        try {
          const detail = await task.run(context, (line) => {
            listrTask.output = line;
          });
          outcome.status = 'done';
          outcome.detail = detail || undefined;
          if (detail) listrTask.title = `${task.title}: ${detail}`;
        } catch (error) {
          outcome.status = 'failed';
          outcome.detail = error instanceof Error ? error.message : String(error);
          firstError ??= error;
          throw error;
        }
      },
    })),
    {
      concurrent: false,
      exitOnError: options.exitOnError,
      renderer: options.silent ? 'silent' : isInteractive(process.stderr) ? 'default' : 'simple',
      fallbackRenderer: 'simple',
      rendererOptions: { processOutput },
      fallbackRendererOptions: { processOutput },
      collectErrors: 'minimal',
      // listr2's own SIGINT listener calls process.exit(127), racing cruddur's handler (core/interrupt.ts: 130,
      // after the clean-ups): no library decides the exit code.
      registerSignalListeners: false,
    } as never,
  );
  try {
    await list.run();
  } catch {
    // recorded in outcomes; re-thrown below with its own message
  }
  if (firstError !== undefined && options.exitOnError) throw firstError;
  return outcomes;
}
