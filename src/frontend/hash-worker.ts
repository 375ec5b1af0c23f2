import { parentPort, workerData } from 'node:worker_threads';
import { hashAll, type HashTarget } from './hash.js';

/** Runs hashAll off the main thread and posts the MD5s and sizes back. */
interface Input {
  targets: Array<{ absPath: string; size: number }>;
  concurrency: number;
}

const input = workerData as Input;
const targets: HashTarget[] = input.targets.map((t) => ({ absPath: t.absPath, size: t.size }));
hashAll(targets, { concurrency: input.concurrency }).then(
  () => parentPort?.postMessage({ results: targets.map((t) => ({ md5: t.md5, size: t.size })) }),
  (error: unknown) => parentPort?.postMessage({ error: error instanceof Error ? { message: error.message, code: (error as { code?: string }).code, path: (error as { path?: string }).path } : { message: String(error) } }),
);
