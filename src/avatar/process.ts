import { readdir, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { CruddurError, errorMessage, usageError } from '../core/errors.js';
import { writeFilesAtomic } from '../core/fs.js';
import { describeImageError, isImageName, planOutputs } from './plan.js';
import type { HandlerFileResult } from './handler.js';
import { configureSharpForBatch, thumbnailPipeline, type ThumbnailSettings } from './transform.js';
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
  /** The configured transform (the avatar configuration's); default cruddur's settings file. */
  settings?: ThumbnailSettings;
  /**
   * `--lambda`: the handler's own code makes the avatars. Given the files and the uploads key each
   * would have, returns what the handler put for each (src/avatar/handler.ts runHandlerOnFiles).
   */
  handler?: { uploadKey(name: string): string; run(files: Array<{ path: string; key: string; size: number }>): Promise<HandlerFileResult[]> };
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
  const { jobs, rejected } = planOutputs(inputs, options.outDir, options.settings?.outputExtension);
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

  if (options.handler) {
    results.push(...(await processWithHandler(options, options.handler, jobs.map((j) => j.input))));
    for (const file of results.slice(done)) hooks.onFile?.(file, ++done, total);
    return finish(options, inputs, results);
  }

  await configureSharpForBatch(Math.min(concurrency, jobs.length));
  const run = (job: (typeof jobs)[number]) => processOne(resolve(options.cwd, job.input), resolve(options.cwd, job.output), job.input, job.output, options.settings);
  // libvips keeps one error buffer per process: when images fail at the same time, one of them can lose its
  // reason and sharp says only "Unknown error". Such files are decoded again once the batch is done, one at a
  // time, so the reason reported is the file's own.
  const lostReason: Array<(typeof jobs)[number]> = [];
  await mapLimit(jobs, concurrency, async (job) => {
    const file = await run(job);
    if (file.error === UNKNOWN_ERROR) {
      lostReason.push(job);
      return;
    }
    results.push(file);
    hooks.onFile?.(file, ++done, total);
  });
  for (const job of lostReason) {
    const file = await run(job);
    results.push(file);
    hooks.onFile?.(file, ++done, total);
  }
  return finish(options, inputs, results);
}

function finish(options: ProcessOptions, inputs: string[], results: ProcessedFile[]): ProcessResult {
  // Report in input order, whatever order they finished in.
  const position = new Map(inputs.map((input, i) => [input, i]));
  results.sort((a, b) => (position.get(a.input) ?? -1) - (position.get(b.input) ?? -1));
  const failed = results.filter((r) => r.status === 'failed').length;
  return { outDir: options.outDir, processed: results.length - failed, failed, files: results };
}

/** Runs the handler on every file in one child process; each output is named as the handler named its key. */
async function processWithHandler(options: ProcessOptions, handler: NonNullable<ProcessOptions['handler']>, inputs: string[]): Promise<ProcessedFile[]> {
  const started = performance.now();
  const files = await Promise.all(
    inputs.map(async (input) => {
      const path = resolve(options.cwd, input);
      return { input, path, key: handler.uploadKey(basename(path)), size: (await stat(path)).size };
    }),
  );
  const replies = await handler.run(files);
  const ms = Math.round((performance.now() - started) / Math.max(1, files.length));
  const out: ProcessedFile[] = [];
  for (const file of files) {
    const reply = replies.find((r) => r.path === file.path);
    const put = reply?.puts[0];
    if (!reply || reply.error || !put) {
      out.push({ input: file.input, status: 'failed', ms, error: reply?.error ? describeImageError(reply.error) : 'the handler wrote nothing for it' });
      continue;
    }
    const output = join(options.outDir, basename(put.key));
    await writeFilesAtomic([{ path: resolve(options.cwd, output), content: put.body }]);
    const { default: sharp } = await import('sharp');
    const meta = await sharp(put.body).metadata().catch(() => ({ width: undefined, height: undefined }));
    out.push({ input: file.input, output, status: 'ok', bytes: put.body.length, width: meta.width, height: meta.height, ms });
  }
  return out;
}

/** sharp's message when libvips's shared error buffer held no reason for a failure. */
const UNKNOWN_ERROR = 'Unknown error';

async function processOne(inputPath: string, outputPath: string, input: string, output: string, settings?: ThumbnailSettings): Promise<ProcessedFile> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  const fail = (error: string): ProcessedFile => ({ input, status: 'failed', ms: ms(), error });
  let image;
  try {
    if ((await stat(inputPath)).size === 0) return fail(describeImageError('', 0));
    image = await (await thumbnailPipeline(inputPath, settings)).toBuffer({ resolveWithObject: true });
  } catch (error) {
    const message = errorMessage(error);
    return fail(message.trim() === UNKNOWN_ERROR ? UNKNOWN_ERROR : describeImageError(message));
  }
  try {
    await writeFilesAtomic([{ path: outputPath, content: image.data }]);
  } catch (error) {
    return fail(`could not write ${output}: ${errorMessage(error)}`);
  }
  return { input, output, status: 'ok', bytes: image.data.length, width: image.info.width, height: image.info.height, ms: ms() };
}
