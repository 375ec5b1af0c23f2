/**
 * Ctrl-C and SIGTERM: every command stops with a message, runs the registered cleanups (temp files,
 * half-written uploads) and exits 130 (SIGINT) or 143 (SIGTERM). A second Ctrl-C exits at once.
 * Open database transactions roll back by themselves when the connection closes.
 */
type Cleanup = () => unknown;
const cleanups = new Set<Cleanup>();
let installed = false;
let passThrough = 0;
/** The code the handler exits with once Ctrl-C/SIGTERM arrived; undefined before. */
let stoppingCode: number | undefined;

/** Whether Ctrl-C/SIGTERM arrived and the registered cleanups are running (the process exits when they end). */
export function interrupted(): boolean {
  return stoppingCode !== undefined;
}

/**
 * The exit code the interrupt handler is exiting with (130 for SIGINT, 143 for SIGTERM), or undefined when no
 * Ctrl-C/SIGTERM arrived. A command that fails because its child was interrupted exits with it, saying nothing more.
 */
export function interruptExitCode(): number | undefined {
  return stoppingCode;
}

/**
 * While an interactive child owns the terminal (psql, npm run build), Ctrl-C is the child's: the
 * terminal delivers it to the child too, and cruddur waits for the child's exit code instead of quitting.
 */
export async function withTerminalChild<T>(run: () => Promise<T>): Promise<T> {
  passThrough++;
  try {
    return await run();
  } finally {
    passThrough--;
  }
}

export function onInterrupt(cleanup: Cleanup): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

export function installInterruptHandler(write: (message: string) => void): void {
  if (installed) return;
  installed = true;
  const handler = (signal: NodeJS.Signals) => {
    const code = signal === 'SIGINT' ? 130 : 143;
    if (passThrough > 0 && signal === 'SIGINT') return;
    if (stoppingCode !== undefined) process.exit(code);
    stoppingCode = code;
    write(`Interrupted (${signal}): stopping; nothing half-done is kept. Re-run the command to finish.`);
    const pending = [...cleanups].map(async (cleanup) => {
      try {
        await cleanup();
      } catch {
        // best effort: the process is going away
      }
    });
    const bound = new Promise((resolve) => setTimeout(resolve, 5_000).unref());
    void Promise.race([Promise.all(pending), bound]).then(() => process.exit(code));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
