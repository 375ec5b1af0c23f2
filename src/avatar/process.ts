import { readdir, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { CruddurError, errorMessage, usageError } from '../core/errors.js';
import { writeFilesAtomic } from '../core/fs.js';
import { describeImageError, isImageName, planOutputs } from './plan.js';
import { configureSharpForBatch, thumbnailPipeline } from './transform.js';
import { mapLimit } from '../core/pool.js';

export interface ProcessedFile {
  input: string;
  /** The thumbnail written, absent when the file failed. */
  output?: string;
  status: 'ok' | 'failed';
  bytes?: number;
  width?: number;
  height?: number;
  ms: number;
  error?: string;
}

export interface ProcessResult {
  outDir: string;
  processed: number;
  failed: number;
  files: ProcessedFile[];
}

export interface ProcessOptions {
  /** Files and folders, as given (relative to `cwd`). */
  inputs: string[];
  outDir: string;
  /** Images in flight at once; default: two per core. */
  concurrency?: number;
  cwd: string;
}

export interface ProcessHooks {
  /** Called once the inputs are known. */
  onPlan?(total: number): void;
  /** Called as each file finishes, in completion order. */
  onFile?(file: ProcessedFile, done: number, total: number): void;
}

/**
 * Two images in flight per core: while one waits on the disk, the other decodes (measured on 2 cores:
 * 4 at once is ~5% faster than 2; bench/RESULTS.md). Each gets one libvips thread (batchThreads).
 */
export function defaultConcurrency(): number {
  return Math.min(16, 2 * Math.max(1, availableParallelism()));
}

/** Folders become their image files (not recursive, sorted); missing paths are reported, not thrown. */
export async function expandInputs(inputs: string[], cwd: string): Promise<{ files: string[]; missing: ProcessedFile[] }> {
  const files: string[] = [];
  const missing: ProcessedFile[] = [];
  for (const input of inputs) {
    const absolute = resolve(cwd, input);
    let info;
    try {
      info = await stat(absolute);
    } catch {
      missing.push({ input, status: 'failed', ms: 0, error: 'no such file or folder' });
      continue;
    }
    if (info.isDirectory()) {
      const entries = (await readdir(absolute, { withFileTypes: true }))
        .filter((e) => e.isFile() && isImageName(e.name))
        .map((e) => join(input, e.name))
        .sort();
      files.push(...entries);
    } else {
      files.push(input);
    }
  }
  return { files, missing };
}

/**
 * `avatar process`: the Lambda's transform on many local files at once. Each output is written
 * atomically; a file sharp cannot read is reported by name and the rest still run.
 */
export async function processAvatars(options: ProcessOptions, hooks: ProcessHooks = {}): Promise<ProcessResult> {
  if (options.inputs.length === 0) throw usageError('No files or folders given', 'cruddur avatar process photo.jpg [more files or folders]');
  const concurrency = options.concurrency ?? defaultConcurrency();
  if (!Number.isInteger(concurrency) || concurrency < 1) throw usageError(`--concurrency must be a positive whole number, got ${concurrency}`);

  const { files: inputs, missing } = await expandInputs(options.inputs, options.cwd);
  const { jobs, rejected } = planOutputs(inputs, options.outDir);
  const results: ProcessedFile[] = [...missing, ...rejected.map((r) => ({ input: r.input, status: 'failed' as const, ms: 0, error: r.reason }))];
  const total = results.length + jobs.length;
  if (total === 0) {
    throw new CruddurError(`No images found in ${options.inputs.join(', ')}`, {
      suggestion: 'pass image files, or folders holding .jpg/.png/.webp files',
      code: 'AVATAR_NO_INPUT',
    });
  }
  hooks.onPlan?.(total);
  let done = 0;
  for (const file of results) hooks.onFile?.(file, ++done, total);

  await configureSharpForBatch(Math.min(concurrency, jobs.length));
  await mapLimit(jobs, concurrency, async (job) => {
    const file = await processOne(resolve(options.cwd, job.input), resolve(options.cwd, job.output), job.input, job.output);
    results.push(file);
    hooks.onFile?.(file, ++done, total);
  });

  // Report in input order, whatever order they finished in.
  const position = new Map(inputs.map((input, i) => [input, i]));
  results.sort((a, b) => (position.get(a.input) ?? -1) - (position.get(b.input) ?? -1));
  const failed = results.filter((r) => r.status === 'failed').length;
  return { outDir: options.outDir, processed: results.length - failed, failed, files: results };
}

async function processOne(inputPath: string, outputPath: string, input: string, output: string): Promise<ProcessedFile> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  const fail = (error: string): ProcessedFile => ({ input, status: 'failed', ms: ms(), error });
  let image;
  try {
    if ((await stat(inputPath)).size === 0) return fail(describeImageError('', 0));
    image = await (await thumbnailPipeline(inputPath)).toBuffer({ resolveWithObject: true });
  } catch (error) {
    return fail(describeImageError(errorMessage(error)));
  }
  try {
    await writeFilesAtomic([{ path: outputPath, content: image.data }]);
  } catch (error) {
    return fail(`could not write ${output}: ${errorMessage(error)}`);
  }
  return { input, output, status: 'ok', bytes: image.data.length, width: image.info.width, height: image.info.height, ms: ms() };
}
