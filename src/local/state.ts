import { existsSync, readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Where the local stack keeps everything, under the project root. */
export function localPaths(root: string) {
  const dir = join(root, '.cruddur');
  return {
    dir,
    state: join(dir, 'local.json'),
    env: join(dir, 'local.env'),
    log: join(dir, 'local.log'),
    s3: join(dir, 's3'),
    dynamodb: join(dir, 'dynamodb'),
  };
}

export interface LocalBuckets {
  uploads: string;
  assets: string;
  site: string;
}

/** What a running stack recorded in `.cruddur/local.json`. */
export interface LocalState {
  pid: number;
  startedAt: string;
  /** Where every service listens (`local up --listen`); absent: 127.0.0.1. */
  host?: string;
  database: string;
  /** password: the generated one when it listens off 127.0.0.1 (absent: `postgres`). */
  postgres: { port: number; pid: number | undefined; password?: string };
  s3: { port: number };
  /** Absent in state files written before DynamoDB joined the stack. */
  dynamodb?: { port: number };
  buckets: LocalBuckets;
}

/** Bucket names: the project's own variables when set, else local defaults. */
export function localBuckets(env: Readonly<Record<string, string | undefined>>): LocalBuckets {
  return {
    uploads: env.UPLOADS_BUCKET_NAME || 'cruddur-uploads',
    assets: env.ASSETS_BUCKET_NAME || 'cruddur-assets',
    site: env.SYNC_S3_BUCKET || env.DOMAIN_NAME || 'cruddur-site',
  };
}

export async function readLocalState(root: string): Promise<LocalState | undefined> {
  const file = localPaths(root).state;
  if (!existsSync(file)) return undefined;
  try {
    const data = JSON.parse(await readFile(file, 'utf8')) as Partial<LocalState>;
    if (typeof data.pid !== 'number' || typeof data.postgres?.port !== 'number' || typeof data.s3?.port !== 'number' || !data.buckets) return undefined;
    return data as LocalState;
  } catch {
    return undefined;
  }
}

/** Keeps .cruddur/ out of git: it holds data and local credentials. */
export async function ignoreCruddurDir(dir: string): Promise<void> {
  const file = join(dir, '.gitignore');
  if (!existsSync(file)) await writeFile(file, '# local stack data (cruddur local): not for version control\n*\n');
}

export async function clearLocalState(root: string): Promise<void> {
  const paths = localPaths(root);
  await Promise.all([rm(paths.state, { force: true }), rm(paths.env, { force: true })]);
}

/**
 * Whether a process is running. A killed process whose parent never reaps it stays a zombie (common in
 * containers whose PID 1 is not an init): signal 0 still succeeds, so /proc is asked for its state.
 */
export function isAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true;
  }
}

/** Waits (polling, bounded) until the process is gone; true if it went. */
export async function waitForExitOf(pid: number | undefined, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return !isAlive(pid);
}
