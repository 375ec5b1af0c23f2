import { fileURLToPath } from 'node:url';
import type { ExecOptions, ExecResult } from '../core/exec.js';
import type { AvatarConfig, HandlerLocation } from './config.js';

/** Starts a program (src/core/exec's execProgram in production). */
export type Exec = (file: string, args: string[], options?: ExecOptions) => Promise<ExecResult>;

// Resolves to dist/ from both src/avatar (tests) and dist/avatar (the CLI), like the local supervisor.
export const RUNNER = fileURLToPath(new URL('../../dist/avatar/lambda-runner.js', import.meta.url));
const MARK = '@@cruddur ';
/** Lambda's default timeout is 3 s; the bootcamp stack leaves it. Locally a loaded machine gets more. */
export const HANDLER_TIMEOUT_MS = 60_000;

/**
 * One S3 notification record as Lambda receives it (AWS docs, "Event message structure", version 2.1):
 * the object key is URL-encoded form-style (spaces as `+`, `/` kept), which is why handlers decode it.
 */
export function s3Event(bucket: string, key: string, size: number, now = new Date()): { Records: unknown[] } {
  const encoded = key
    .split('/')
    .map((part) => encodeURIComponent(part).replace(/%20/g, '+'))
    .join('/');
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventTime: now.toISOString(),
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: 'cruddur-local' },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: { 'x-amz-request-id': 'cruddur-local', 'x-amz-id-2': 'cruddur-local' },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'cruddur-local',
          bucket: { name: bucket, ownerIdentity: { principalId: 'cruddur-local' }, arn: `arn:aws:s3:::${bucket}` },
          object: { key: encoded, size, eTag: '', sequencer: now.getTime().toString(16).toUpperCase() },
        },
      },
    ],
  };
}

/**
 * The environment the bootcamp stack gives the Lambda (DEST_BUCKET_NAME, FOLDER_INPUT, FOLDER_OUTPUT,
 * PROCESS_WIDTH, PROCESS_HEIGHT), plus the S3 endpoint and credentials of the local S3.
 */
export function handlerEnv(config: AvatarConfig, s3Env: Record<string, string>): Record<string, string> {
  return {
    ...s3Env,
    DEST_BUCKET_NAME: config.assetsBucket?.value ?? '',
    FOLDER_INPUT: config.inputFolder.value,
    FOLDER_OUTPUT: config.outputFolder.value,
    PROCESS_WIDTH: String(config.width.value),
    PROCESS_HEIGHT: String(config.height.value),
    AWS_LAMBDA_FUNCTION_NAME: 'cruddur-local',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    NODE_OPTIONS: '',
  };
}

interface RunnerReply {
  ok: boolean;
  error?: string;
  [key: string]: unknown;
}

/** The runner's last `@@cruddur` line; the handler's own logs come before it. */
export function parseReply(result: ExecResult): RunnerReply & { logs: string } {
  const lines = result.stdout.split('\n');
  const index = lines.findLastIndex((l) => l.startsWith(MARK));
  const logs = [...lines.slice(0, Math.max(0, index)), result.stderr].join('\n').trim();
  if (index < 0) return { ok: false, error: `the handler process exited with code ${result.exitCode} without a result: ${logs.split('\n').slice(-3).join(' | ')}`, logs };
  return { ...(JSON.parse(lines[index]?.slice(MARK.length) ?? '{}') as RunnerReply), logs };
}

async function run(exec: Exec, args: string[], options: ExecOptions): Promise<RunnerReply & { logs: string }> {
  return parseReply(await exec(process.execPath, [RUNNER, ...args], { timeoutMs: HANDLER_TIMEOUT_MS, ...options }));
}

/** Whether the handler folder's own sharp loads on this machine (after `avatar build` it is linux-x64). */
export async function probeSharp(handler: HandlerLocation, exec: Exec): Promise<{ ok: boolean; error?: string }> {
  const reply = await run(exec, ['probe', handler.folder], { cwd: handler.folder, env: { NODE_OPTIONS: '' } });
  return reply.ok ? { ok: true } : { ok: false, error: reply.error };
}

/** Runs the handler once with an S3 event, in a child Node process with the given environment. */
export async function invokeHandler(handler: HandlerLocation, event: unknown, env: Record<string, string>, exec: Exec): Promise<{ result: unknown; logs: string }> {
  const reply = await run(exec, ['invoke', handler.file, handler.exportName], { cwd: handler.folder, env, input: JSON.stringify({ event }) });
  if (!reply.ok) throw new Error(`${handler.exportName} in ${handler.file} failed: ${reply.error}`);
  return { result: reply.result, logs: reply.logs };
}

export interface HandlerFileResult {
  path: string;
  error?: string;
  /** What the handler put: key, Content-Type and bytes. */
  puts: Array<{ bucket: string; key: string; contentType?: string; body: Buffer }>;
}

/**
 * `avatar process --lambda`: each file becomes an upload under the input folder of the uploads bucket
 * and one S3 event; the runner serves the files on a loopback S3 of its own and returns the handler's puts.
 */
export async function runHandlerOnFiles(
  handler: HandlerLocation,
  config: AvatarConfig,
  files: Array<{ path: string; key: string; size: number }>,
  exec: Exec,
): Promise<HandlerFileResult[]> {
  const bucket = config.uploadsBucket?.value ?? 'uploads';
  const env = handlerEnv(
    { ...config, assetsBucket: config.assetsBucket ?? { value: 'assets', source: 'local' } },
    { AWS_ACCESS_KEY_ID: 'cruddur-local', AWS_SECRET_ACCESS_KEY: 'cruddur-local', AWS_REGION: 'us-east-1' },
  );
  const events = files.map((f) => ({ path: f.path, key: f.key, event: s3Event(bucket, f.key, f.size) }));
  const reply = await run(exec, ['files', handler.file, handler.exportName], {
    cwd: handler.folder,
    env,
    input: JSON.stringify({ bucket, events }),
    timeoutMs: HANDLER_TIMEOUT_MS + files.length * 10_000,
  });
  if (!reply.ok) throw new Error(`${handler.exportName} in ${handler.file} could not run: ${reply.error}`);
  const results = reply.results as Array<{ path: string; error?: string; puts: Array<{ bucket: string; key: string; contentType?: string; data: string }> }>;
  return results.map((r) => ({ path: r.path, error: r.error, puts: r.puts.map((p) => ({ bucket: p.bucket, key: p.key, contentType: p.contentType, body: Buffer.from(p.data, 'base64') })) }));
}
