import { parentPort, workerData } from 'node:worker_threads';
import { hashAll, type HashTarget } from './hash.js';

/** Runs hashAll off the main thread; the kept bytes travel back without a copy (transferred). */
interface Input {
  targets: Array<{ absPath: string; size: number }>;
  keepBudget: number;
  concurrency: number;
}

const input = workerData as Input;
const targets: HashTarget[] = input.targets.map((t) => ({ absPath: t.absPath, size: t.size }));
hashAll(targets, { keepBudget: input.keepBudget, concurrency: input.concurrency }).then(
  () => {
    const transfer: ArrayBuffer[] = [];
    const results = targets.map((t) => {
      let body: Uint8Array | undefined;
      if (t.body) {
        const own = t.body.byteOffset === 0 && t.body.byteLength === t.body.buffer.byteLength;
        body = own ? t.body : new Uint8Array(t.body);
        transfer.push(body.buffer as ArrayBuffer);
      }
      return { md5: t.md5, size: t.size, body };
    });
    parentPort?.postMessage({ results }, transfer);
  },
  (error: unknown) => parentPort?.postMessage({ error: error instanceof Error ? { message: error.message, code: (error as { code?: string }).code, path: (error as { path?: string }).path } : { message: String(error) } }),
);
