import { chmod, cp, mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const FIXTURE_APP = join(REPO_ROOT, 'test', 'fixtures', 'sample-app');

export interface TempDir {
  path: string;
  cleanup(): Promise<void>;
}

export async function tempDir(prefix = 'cruddur-test-'): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/** Copies an app folder into a fresh temp dir (writable, with a .git marker so it is a project root). */
export async function copyApp(source: string = FIXTURE_APP): Promise<TempDir> {
  if (!existsSync(source)) throw new Error(`sample app not found at ${source}`);
  const dir = await tempDir('cruddur-app-');
  await cp(source, dir.path, { recursive: true });
  // The copy must be writable like a user's checkout, whatever the modes in the source.
  await chmodTree(dir.path);
  await mkdir(join(dir.path, '.git'), { recursive: true });
  return dir;
}

async function chmodTree(path: string): Promise<void> {
  const info = await stat(path);
  await chmod(path, info.isDirectory() ? 0o755 : 0o644);
  if (info.isDirectory()) for (const entry of await readdir(path)) await chmodTree(join(path, entry));
}

/** Reads KEY=VALUE lines (a fixture's sample.env or demo.env). */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m?.[1]) env[m[1]] = m[2] ?? '';
  }
  return env;
}
