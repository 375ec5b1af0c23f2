// A new local cluster is a copy of one initdb'd template per machine, not an initdb of its own. initdb's bootstrap
// and catalog set-up cost about 1 s of CPU (4 s of wall on a virtio disk), `cp -a` of the ~40 MB, ~1,000-file result
// about 0.07 s (bench/RESULTS.md, "Test suite"). Every cluster cruddur makes is initialised with the same settings
// (user and password `postgres`, scram-sha-256, UTF8, locale C) and gets its own password, port and listen address
// only when it starts, so the copies are what initdb would have made, down to the system identifier they share
// (which matters only to replication, which a local development cluster never joins).
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { execProgram } from '../core/exec.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/output.js';

/**
 * Where the machine's cluster templates live: `CRUDDUR_CACHE_DIR` when set (relative to the working folder); as root
 * `/var/lib/cruddur/cache` (the `postgres` user that runs initdb must reach it, and a root home is mode 0700);
 * otherwise `$XDG_CACHE_HOME/cruddur`, else `~/.cache/cruddur`. As the XDG Base Directory Specification says, an
 * empty or relative XDG_CACHE_HOME is ignored.
 */
export function cacheHome(env: Readonly<Record<string, string | undefined>>, asRoot: boolean, rootHome: string): string {
  if (env.CRUDDUR_CACHE_DIR) return resolve(env.CRUDDUR_CACHE_DIR);
  if (asRoot) return join(rootHome, 'cache');
  const xdg = env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : undefined;
  return join(xdg ?? join(env.HOME || homedir(), '.cache'), 'cruddur');
}

/**
 * The template's folder for these initdb settings and this PostgreSQL build: `<cache>/postgres-<12 hex>`, the hash
 * over the settings and the postgres binary's path, size and mtime (an `npm ci` of another version makes another).
 */
export async function templateDir(cache: string, postgresBinary: string, settings: readonly string[]): Promise<string> {
  const binary = await stat(postgresBinary);
  const key = createHash('sha256')
    .update(JSON.stringify([postgresBinary, binary.size, binary.mtimeMs, settings]))
    .digest('hex')
    .slice(0, 12);
  return join(cache, `postgres-${key}`);
}

export interface ClusterFromTemplateOptions {
  /** The cluster to make: absent, or an empty folder. */
  dataDir: string;
  /** The template folder (templateDir). */
  template: string;
  /** initdb into a folder that does not exist yet, as the server's user. */
  initdb(dir: string): Promise<void>;
  logger: Logger;
}

/**
 * Makes `dataDir` a copy of the template, building the template first when the machine has none (initdb into a
 * sibling folder, then a rename: two processes building at once both finish, one template stays). The copy is made
 * beside `dataDir` and renamed onto it, so an interrupted copy never leaves a half cluster where a server looks.
 * `cp -a` keeps modes and owners (as root the files belong to `postgres`, as initdb made them).
 * Returns false, with the reason at debug level, when the template cannot be built or copied (an unwritable cache
 * folder, say): the caller then runs initdb on `dataDir` itself, as before templates. A `dataDir` that holds files
 * is left alone and also returns false, so initdb reports it as it always did.
 */
export async function clusterFromTemplate(options: ClusterFromTemplateOptions): Promise<boolean> {
  const { dataDir, template, logger } = options;
  const staging = (base: string) => `${base}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    if (!existsSync(join(template, 'PG_VERSION'))) {
      await mkdir(dirname(template), { recursive: true, mode: 0o755 });
      const building = staging(template);
      try {
        await options.initdb(building);
        await rename(building, template).catch(async (error: NodeJS.ErrnoException) => {
          // Another process renamed its template first: use that one.
          if (!existsSync(join(template, 'PG_VERSION'))) throw error;
        });
      } finally {
        await rm(building, { recursive: true, force: true });
      }
      logger.debug(`made the cluster template ${template}`);
    }
    const copy = staging(dataDir);
    try {
      const result = await execProgram('cp', ['-a', template, copy]);
      if (result.exitCode !== 0) throw new Error(`cp -a exited ${result.exitCode}: ${result.stderr.trim()}`);
      // rename(2) replaces an empty folder and refuses one with files (ENOTEMPTY/EEXIST).
      await rename(copy, dataDir);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
    return true;
  } catch (error) {
    logger.debug(`no cluster template (${errorMessage(error)}); running initdb on ${dataDir}`);
    return false;
  }
}
