import { statSync } from 'node:fs';
import type S3rver from 's3rver';
import { resolveAwsSettings, s3ClientConfig } from '../aws/clients.js';
import { loadSdk } from '../aws/sdk.js';
import { s3rverEnv } from './s3-server.js';

export interface WorkerOptions {
  endpoint: string;
  /** The project root: the avatar configuration is resolved from it, once. */
  root: string;
  /** The buckets the local stack created (they win over the configuration: they are what exists). */
  uploads: string;
  assets: string;
  log: (line: string) => void;
}

interface S3EventRecord {
  eventName?: string;
  s3?: { bucket?: { name?: string }; object?: { key?: string; size?: number } };
}

/**
 * Processes uploads like the Lambda. When the project has a handler folder (THUMBING_FUNCTION_PATH, or
 * the folder whose package.json lists sharp and whose index.js exports handler), each object created
 * under the input folder of the uploads bucket runs that handler's own code in a child Node process,
 * with the S3 event Lambda would send and this S3 as its endpoint. Without one, or when its sharp
 * cannot load here (said once), the configured transform writes the avatar instead.
 * Returns a description for the log.
 */
export async function startThumbnailWorker(server: S3rver, options: WorkerOptions): Promise<string> {
  const [{ loadProjectConfig }, { resolveAvatarConfig, avatarKeyFor }, handlers, { execProgram }] = await Promise.all([
    import('../core/config.js'),
    import('../avatar/config.js'),
    import('../avatar/handler.js'),
    import('../core/exec.js'),
  ]);
  const s3Env = s3rverEnv(options.endpoint);
  type Setup = { signature: string; config: ReturnType<typeof resolveAvatarConfig>; handler: ReturnType<typeof resolveAvatarConfig>['handler']['value']; mode: string };
  let current: Setup | undefined;
  /**
   * The project's avatar settings and handler, read again for each upload: a handler added by `avatar build --init`
   * (or removed, or its settings changed) after `local up` is used from the next upload on, as a deployed Lambda
   * would be after a deploy. The handler's sharp is probed once per handler file version.
   */
  const setup = async (): Promise<Setup> => {
    const resolved = resolveAvatarConfig(loadProjectConfig({ cwd: options.root }));
    const config = {
      ...resolved,
      uploadsBucket: { value: options.uploads, source: 'the local stack' },
      assetsBucket: { value: options.assets, source: 'the local stack' },
    };
    const found = config.handler.value;
    let version = 0;
    try {
      version = found ? statSync(found.file).mtimeMs : 0;
    } catch {
      version = -1;
    }
    const signature = JSON.stringify([found?.file, version, config.transform, config.inputFolder.value, config.outputFolder.value, config.keyRule.value]);
    if (current?.signature === signature) return current;
    let handler = found;
    let mode = handler ? `running ${handler.file} (${config.handler.source})` : `the configured transform (${config.handler.source})`;
    if (handler) {
      const probe = await handlers.probeSharp(handler, execProgram);
      if (!probe.ok) {
        options.log(`thumbnail: the handler's sharp cannot load on this machine (${(probe.error ?? '').split('\n')[0]}); using the configured transform instead`);
        mode = `the configured transform (the sharp in ${handler.folder} cannot load here)`;
        handler = undefined;
      }
    }
    if (current) options.log(`thumbnail: the project's avatar settings changed; now ${mode}`);
    current = { signature, config, handler, mode };
    return current;
  };
  const first = await setup();

  // The S3 client and sharp are loaded on the first upload the transform handles, not at start: most stacks see
  // none, and the two cost ~0.25 s of CPU of the stack's ~0.7 s start.
  let transformer: Promise<{ client: import('@aws-sdk/client-s3').S3Client; sdk: typeof import('@aws-sdk/client-s3'); thumbnail: typeof import('../avatar/transform.js').thumbnail }> | undefined;
  const loadTransformer = async () => {
    const sdk = loadSdk<typeof import('@aws-sdk/client-s3')>('@aws-sdk/client-s3');
    const { thumbnail } = await import('../avatar/transform.js');
    // Configured exactly as every cruddur command configures its S3 client for a custom endpoint.
    return { client: new sdk.S3Client(s3ClientConfig(resolveAwsSettings({ env: s3Env }))), sdk, thumbnail };
  };
  const transform = async (config: Setup['config'], bucket: string, key: string, avatarKey: string) => {
    const { client, sdk, thumbnail } = await (transformer ??= loadTransformer());
    const { GetObjectCommand, PutObjectCommand } = sdk;
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const input = Buffer.from(await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
    const body = await thumbnail(input, config.transform);
    await client.send(new PutObjectCommand({ Bucket: options.assets, Key: avatarKey, Body: body, ContentType: config.transform.contentType }));
    return `${body.length} bytes`;
  };
  const handle = async (bucket: string, key: string, size: number) => {
    const started = Date.now();
    try {
      const { config, handler } = await setup();
      const avatarKey = avatarKeyFor(config, key);
      if (!avatarKey) return;
      let detail: string;
      if (handler) {
        const { logs } = await handlers.invokeHandler(handler, handlers.s3Event(bucket, key, size), handlers.handlerEnv(config, s3Env), execProgram);
        detail = `handler${logs ? `: ${logs.split('\n').slice(-1)[0]}` : ''}`;
      } else {
        detail = await transform(config, bucket, key, avatarKey);
      }
      options.log(`thumbnail: ${bucket}/${key} -> ${options.assets}/${avatarKey} (${detail}, ${Date.now() - started} ms)`);
    } catch (error) {
      options.log(`thumbnail failed for ${bucket}/${key}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  (server as unknown as { on(event: 'event', listener: (e: { Records?: S3EventRecord[] }) => void): void }).on('event', (event) => {
    for (const record of event.Records ?? []) {
      const bucket = record.s3?.bucket?.name;
      const key = record.s3?.object?.key;
      if (key && bucket === options.uploads && record.eventName?.startsWith('ObjectCreated')) void handle(bucket, key, record.s3?.object?.size ?? 0);
    }
  });
  return `watching ${options.uploads}${first.config.inputFolder.value ? `/${first.config.inputFolder.value}/` : ''} -> ${options.assets}/${first.config.outputFolder.value}/ with ${first.mode}`;
}
