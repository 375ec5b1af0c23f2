import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { startNodeService } from '../core/exec.js';
import { CruddurError, errorMessage } from '../core/errors.js';

/** s3rver accepts only this key pair. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/** The variables that point cruddur (and the AWS CLI) at an s3rver endpoint. */
export function s3rverEnv(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    AWS_REGION: 'us-east-1',
  };
}

/** What supervisor.ts reads from argv[2]. */
export interface SupervisorConfig {
  /** s3rver's data folder. */
  directory: string;
  /** The port to listen on when free (0 or taken: any free port, unless strictPort). */
  port: number;
  /** The port was given explicitly (`local up --port`): taken is an error, never another port. */
  strictPort?: boolean;
  /** Listen address of S3 and DynamoDB (default 127.0.0.1). */
  host?: string;
  buckets: string[];
  /** Also run the local DynamoDB (dynalite) in this process (`local up`). */
  dynamodb?: { directory: string; port: number; strictPort?: boolean };
  /** Append log lines here (`local up`: .cruddur/local.log). */
  logFile?: string;
  /** Thumbnail uploads like the Lambda (`local up`). */
  thumbnails?: { uploads: string; assets: string; root: string };
  /** Stop when stdin closes (the parent went away). */
  watchParent: boolean;
}

export interface S3ServerHandle {
  port: number;
  endpoint: string;
  pid: number;
  /** The local DynamoDB's port and endpoint, when it was asked for. */
  dynamodb?: { port: number; endpoint: string };
  /** The variables that point cruddur (and the AWS CLI) at this server. */
  env: Record<string, string>;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process is gone. */
  stop(): Promise<void>;
}

export interface StartS3Options {
  directory: string;
  /** Wanted port; another free one when it is taken (unless strictPort). Default: any free port. */
  port?: number;
  /** An explicit port (`local up --port`): used as given, or LOCAL_S3_START. */
  strictPort?: boolean;
  /** Listen address (default 127.0.0.1; `local up --listen`). */
  host?: string;
  buckets?: string[];
  /** Run the local DynamoDB (dynalite, data in `directory`) in the same process on `port` when free (`local up`). */
  dynamodb?: { directory: string; port?: number; strictPort?: boolean };
  /** Keep running after this process exits (`local up`); otherwise it stops when this process goes. */
  detached?: boolean;
  /** Thumbnail uploads into the assets bucket like the Lambda (`local up`). */
  thumbnails?: { uploads: string; assets: string; root: string };
  /** Append the server's log lines here. */
  logFile?: string;
  /** Show the server's stderr (`local up --foreground`). */
  inheritStderr?: boolean;
  cwd?: string;
}

// Resolves to dist/ from both src/local (tests) and dist/local (the CLI).
const SUPERVISOR = fileURLToPath(new URL('../../dist/local/supervisor.js', import.meta.url));

/**
 * Starts the local S3 API: s3rver on 127.0.0.1 (or `host`) in its own Node process (supervisor.ts), the one way S3
 * runs locally, for `local up` and the tests alike; with `dynamodb`, dynalite runs in the same process on the same
 * address. Errors: LOCAL_S3_START with the process's reason.
 */
export async function startS3Server(options: StartS3Options): Promise<S3ServerHandle> {
  await mkdir(options.directory, { recursive: true });
  const config: SupervisorConfig = {
    directory: options.directory,
    port: options.port ?? 0,
    ...(options.strictPort ? { strictPort: true } : {}),
    ...(options.host ? { host: options.host } : {}),
    buckets: options.buckets ?? [],
    ...(options.dynamodb ? { dynamodb: { ...options.dynamodb, port: options.dynamodb.port ?? 0 } } : {}),
    logFile: options.logFile,
    thumbnails: options.thumbnails,
    watchParent: !options.detached,
  };
  let service;
  try {
    service = await startNodeService(SUPERVISOR, [JSON.stringify(config)], {
      nodeArgs: ['--openssl-legacy-provider'],
      detached: options.detached,
      inheritStderr: options.inheritStderr,
      cwd: options.cwd,
    });
  } catch (error) {
    throw new CruddurError(`The local S3 server did not start: ${errorMessage(error)}`, {
      suggestion: options.logFile ? `see ${options.logFile} (cruddur local logs), then run \`cruddur local down\` and try again` : 'run `npm run build` and check that s3rver is installed',
      code: 'LOCAL_S3_START',
      cause: error,
    });
  }
  const host = options.host ?? '127.0.0.1';
  const port = Number(service.ready.port);
  const endpoint = `http://${host}:${port}`;
  const dynamodbPort = service.ready.dynamodbPort === undefined ? undefined : Number(service.ready.dynamodbPort);
  return {
    port,
    endpoint,
    pid: service.pid,
    ...(dynamodbPort ? { dynamodb: { port: dynamodbPort, endpoint: `http://${host}:${dynamodbPort}` } } : {}),
    env: s3rverEnv(endpoint),
    stop: () => service.stop(),
  };
}
