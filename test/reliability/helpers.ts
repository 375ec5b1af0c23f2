import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { execa } from 'execa';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { assertNoSecrets, CLI, cliEnv } from '../support/cli.js';
import type { ProxiedRequest } from '../support/fault-proxy.js';
import { tempDir, type TempDir } from '../support/tmp.js';

export type Tree = Record<string, Buffer>;

/** An empty project root (a `.git` marker and nothing else): frontend sync and avatar commands need no app. */
export async function makeProject(): Promise<TempDir> {
  const dir = await tempDir('cruddur-rel-');
  await mkdir(join(dir.path, '.git'));
  return dir;
}

/**
 * A small React-like build: HTML entry points, hashed JS/CSS, assets in sub-folders. `version` changes
 * the bytes of a few files (same size for one, so only the MD5 tells them apart).
 */
export function siteTree(version: number, count = 18): Tree {
  const tree: Tree = {
    'index.html': Buffer.from(`<!doctype html><title>v${version}</title><script src="/static/js/main.js"></script>`),
    'about/index.html': Buffer.from(`<!doctype html><h1>about v${version}</h1>`),
    'robots.txt': Buffer.from(`User-agent: *\nDisallow: /v${version % 10}\n`),
    'manifest.json': Buffer.from(JSON.stringify({ name: 'cruddur', version })),
  };
  for (let i = 0; i < count; i++) {
    const dir = ['static/js', 'static/css', 'static/media'][i % 3] as string;
    // Every third file changes with the version; the rest stay the same across versions.
    const body = i % 3 === 0 ? `/* ${i} v${version} */ ${'x'.repeat(40 + i * 7)}` : `/* ${i} */ ${'y'.repeat(40 + i * 11)}`;
    tree[`${dir}/f${i}${i % 3 === 0 ? `.${version}` : ''}.${dir.endsWith('css') ? 'css' : dir.endsWith('js') ? 'js' : 'svg'}`] = Buffer.from(body);
  }
  return tree;
}

export async function writeTree(root: string, tree: Tree): Promise<void> {
  for (const [file, bytes] of Object.entries(tree)) {
    await mkdir(dirname(join(root, file)), { recursive: true });
    await writeFile(join(root, file), bytes);
  }
}

/** Every key of a bucket, from its listing (read straight from s3rver, not through the proxy). */
export async function bucketKeys(client: S3Client, bucket: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((o) => o.Key ?? ''));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/** Every object of a bucket with its bytes, read straight from s3rver (not through the proxy). */
export async function bucketContents(client: S3Client, bucket: string): Promise<Tree> {
  const tree: Tree = {};
  for (const key of await bucketKeys(client, bucket)) {
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    tree[key] = Buffer.from(await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
  }
  return tree;
}

/** Sorted [key, bytes as text] pairs: a readable diff when a bucket and a build differ. */
export function asEntries(tree: Tree): Array<[string, string]> {
  return Object.entries(tree)
    .map(([k, v]) => [k, v.toString('utf8')] as [string, string])
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

export async function resetBucket(client: S3Client, bucket: string, tree: Tree = {}): Promise<void> {
  const keys = await bucketKeys(client, bucket);
  if (keys.length > 0) await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.map((Key) => ({ Key })) } }));
  await Promise.all(Object.entries(tree).map(([Key, Body]) => client.send(new PutObjectCommand({ Bucket: bucket, Key, Body }))));
}

/** The keys named in the DeleteObjects requests that reached s3rver (the proxy keeps POST bodies). */
export function deletedKeys(log: readonly ProxiedRequest[]): string[] {
  return log
    .filter((r) => r.method === 'POST' && r.query.includes('delete') && r.status === 200)
    .flatMap((r) => [...(r.body ?? '').matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1] ?? ''));
}

/** Temp files cruddur's atomic writes would leave behind (`.<name>.<hex>.tmp`), anywhere under `root`. */
export async function tempFilesUnder(root: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(root, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && (/\.tmp$/.test(entry.name) || /^\..*\.[0-9a-f]{12}\.tmp/.test(entry.name))) found.push(join(entry.parentPath, entry.name));
  }
  return found;
}

/** Starts the built CLI without waiting, so a test can signal it; same minimal environment as runCli. */
export function spawnCli(args: string[], options: { cwd: string; env: Record<string, string> }) {
  return execa(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    env: cliEnv(options.env),
    extendEnv: false,
    stdin: 'ignore',
    reject: false,
    timeout: 60_000,
  });
}

export function checkOutput(result: { stdout: unknown; stderr: unknown }, what: string): void {
  assertNoSecrets(String(result.stdout), `stdout of ${what}`);
  assertNoSecrets(String(result.stderr), `stderr of ${what}`);
}

/**
 * The figures for bench/RESULTS.md: each test file adds its counts; they are written only when
 * CRUDDUR_RELIABILITY_FIGURES names a folder (bench/reliability.js sets it and prints the table).
 */
export async function recordFigures(file: string, figures: Record<string, number | string[]>): Promise<void> {
  const dir = process.env.CRUDDUR_RELIABILITY_FIGURES;
  if (!dir) return;
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `${file}.json`), `${JSON.stringify(figures, null, 2)}\n`);
}
