// A new local cluster is a copy of one initdb'd template per machine, not an initdb of its own. initdb's bootstrap
// and catalog set-up cost about 1 s of CPU (4 s of wall on a virtio disk), `cp -a` of the ~40 MB, ~1,000-file result
// about 0.07 s (bench/RESULTS.md, "Test suite"). Every cluster cruddur makes is initialised with the same settings
// (user and password `postgres`, scram-sha-256, UTF8, locale C) and gets its own password, port and listen address
// only when it starts, so the copies are what initdb would have made, down to the system identifier they share
// (which matters only to replication, which a local development cluster never joins).
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, lstat, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { execProgram } from '../core/exec.js';
import { errorMessage } from '../core/errors.js';
import { onInterrupt } from '../core/interrupt.js';
import type { Logger } from '../core/output.js';
import { isAlive } from './state.js';

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
 * What identifies a PostgreSQL build, for the cache's keys: the package.json of the binary package the program
 * belongs to (`<package>/native/bin/postgres`: its name and version; '' when there is none) and the program's size.
 * Not its path (every install and root's copy of the same build share the template) nor its mtime (npm gives the
 * files of each install their extraction time).
 */
async function buildIdentity(postgresBinary: string): Promise<string> {
  const manifest = await readFile(join(dirname(postgresBinary), '..', '..', 'package.json'), 'utf8').catch(() => '');
  return JSON.stringify([manifest, (await stat(postgresBinary)).size]);
}

/**
 * The template's folder for these initdb settings and this PostgreSQL build: `<cache>/postgres-<12 hex>`, the hash
 * over the settings and the build (buildIdentity: an `npm ci` of another version makes another).
 */
export async function templateDir(cache: string, postgresBinary: string, settings: readonly string[]): Promise<string> {
  const key = createHash('sha256')
    .update(JSON.stringify([await buildIdentity(postgresBinary), settings]))
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
  /** The server's user when it is not this process's (root runs it as `postgres`): the copy is given to it. */
  owner?: { uid: number; gid: number };
  logger: Logger;
}

/** The template's inventory, written into it once initdb has made it, and left out of every copy. */
const INVENTORY = 'cruddur-template.json';

type Inventory = Array<[path: string, bytes: number, mtimeMs: number]>;

/**
 * `[path relative to dir, size in bytes, mtime in ms]` of every file under `dir`, sorted; the inventory file itself
 * left out. Nothing writes a template once it is made, so a changed size or mtime is a change by hand (in place
 * too: `dd conv=notrunc` keeps the size, not the mtime).
 */
async function inventoryOf(dir: string): Promise<Inventory> {
  const files: Inventory = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const name = relative(dir, path);
    if (name === INVENTORY) continue;
    const info = await lstat(path);
    files.push([name, info.size, info.mtimeMs]);
  }
  return files.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * What is wrong with the template, or undefined when every file its inventory lists is there with its size and
 * mtime and no other file is (a file deleted, emptied, changed or added by hand, or a folder that never got its
 * inventory).
 */
export async function templateProblem(template: string): Promise<string | undefined> {
  let listed: Inventory;
  try {
    listed = JSON.parse(await readFile(join(template, INVENTORY), 'utf8')) as Inventory;
  } catch {
    return `it has no ${INVENTORY}`;
  }
  const found = new Map((await inventoryOf(template)).map(([name, size, mtimeMs]) => [name, { size, mtimeMs }]));
  for (const [name, size, mtimeMs] of listed) {
    const now = found.get(name);
    if (now === undefined) return `${name} is missing`;
    if (now.size !== size) return `${name} has ${now.size} bytes, not ${size}`;
    if (now.mtimeMs !== mtimeMs) return `${name} was changed`;
    found.delete(name);
  }
  const extra = found.keys().next();
  return extra.done ? undefined : `${extra.value} was added`;
}

/** `<base>.tmp-<pid>-<hex>`: a folder this process stages beside `base`. */
const stagingOf = (base: string) => `${base}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;

/** Removes what interrupted runs staged beside `base` (`<base>.tmp-<pid>-<hex>` of a process that is gone). */
export async function sweepStaging(base: string): Promise<void> {
  const prefix = `${basename(base)}.tmp-`;
  let names: string[];
  try {
    names = await readdir(dirname(base));
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(/^(\d+)-[0-9a-f]+$/.exec(name.startsWith(prefix) ? name.slice(prefix.length) : '')?.[1]);
    if (pid && !isAlive(pid)) await rm(join(dirname(base), name), { recursive: true, force: true }).catch(() => {});
  }
}

/** Runs `work` on a staging folder that is removed afterwards, also when Ctrl-C/SIGTERM stops the command. */
export async function staged<T>(base: string, work: (dir: string) => Promise<T>): Promise<T> {
  const dir = stagingOf(base);
  let running: Promise<unknown> = Promise.resolve();
  // On Ctrl-C the work is let finish first (the interrupt handler waits up to 5 s): a child not in the terminal's
  // process group (`cp -a` under `timeout -s INT`) would otherwise write into the folder after it was removed.
  const forget = onInterrupt(async () => {
    await running.catch(() => {});
    await rm(dir, { recursive: true, force: true });
  });
  try {
    const result = work(dir);
    running = result;
    return await result;
  } finally {
    // Removed before the cleanup is forgotten: a Ctrl-C in between still removes it (the handler exits the
    // process once the cleanups it knows of end).
    await rm(dir, { recursive: true, force: true });
    forget();
  }
}

/**
 * mkdir -p of `dir` with every folder it makes set to mode 0755 whatever the umask (under `umask 077` mkdir's 0755
 * becomes 0700, which the `postgres` user cannot enter). Folders that existed are left as they are.
 */
export async function mkdirReachable(dir: string): Promise<void> {
  const first = await mkdir(dir, { recursive: true, mode: 0o755 });
  if (first === undefined) return;
  for (let made = dir; ; made = dirname(made)) {
    await chmod(made, 0o755);
    if (made === first || dirname(made) === made) return;
  }
}

/**
 * The machine's copy of a PostgreSQL binary package: `source` is the package's folder (package.json, and native/
 * with bin/, lib/ and share/; the programs find their libraries and share/ relative to themselves, so the folder
 * moves whole), the programs then at `<dir>/native/bin`. It lives at `<cache>/postgres-programs-<12 hex>`, the hash
 * over the build (buildIdentity). It is made once as a template is: `cp -a` (symlinks kept) into a sibling folder,
 * made readable by all (`chmod -R a+rX`), its inventory written, then a rename, so two processes making it at once
 * both finish and one copy stays (only the winner's `made` is true). A damaged copy (templateProblem) is said once
 * as a warning and made again. Errors: the cache folder's, cp's or chmod's.
 */
export async function programsCopy(source: string, cache: string, logger: Logger): Promise<{ dir: string; made: boolean }> {
  const identity = await buildIdentity(join(source, 'native', 'bin', 'postgres'));
  const dir = join(cache, `postgres-programs-${createHash('sha256').update(identity).digest('hex').slice(0, 12)}`);
  const made = await cacheFolder(dir, `The copy of the PostgreSQL programs ${dir}`, 'copying them again', logger, async (building) => {
    const result = await execProgram('cp', ['-a', source, building]);
    if (result.exitCode !== 0) throw new Error(`cp -a exited ${result.exitCode}: ${result.stderr.trim()}`);
    // Readable (and the programs runnable) by every user, whatever modes the install was made with (umask 077).
    const chmod = await execProgram('chmod', ['-R', 'a+rX', building]);
    if (chmod.exitCode !== 0) throw new Error(`chmod -R a+rX exited ${chmod.exitCode}: ${chmod.stderr.trim()}`);
  });
  return { dir, made };
}

/**
 * The one way a folder of the machine's cache (a cluster template, root's copy of the programs) is made: when `dir`
 * is missing, or damaged (templateProblem: said once as a warning, `<what> is damaged (...); <again>`, and removed),
 * `make` fills a staging folder beside it, its inventory is written, and it is renamed onto `dir`. Two processes
 * making it at once both finish and one folder stays. What a killed run staged is removed first; a Ctrl-C'd run's on
 * the way out. Parents it makes are 0755 (mkdirReachable). Returns whether this call's folder is the one that stayed.
 */
async function cacheFolder(dir: string, what: string, again: string, logger: Logger, make: (building: string) => Promise<void>): Promise<boolean> {
  await sweepStaging(dir);
  if (existsSync(dir)) {
    const problem = await templateProblem(dir);
    if (!problem) return false;
    logger.warn(`${what} is damaged (${problem}); ${again}`);
    await rm(dir, { recursive: true, force: true });
  }
  await mkdirReachable(dirname(dir));
  return staged(dir, async (building) => {
    await make(building);
    await writeFile(join(building, INVENTORY), `${JSON.stringify(await inventoryOf(building))}\n`);
    await chmod(join(building, INVENTORY), 0o644);
    try {
      await rename(building, dir);
      return true;
    } catch (error) {
      // Another process renamed its folder first: use that one.
      if (await templateProblem(dir)) throw error;
      return false;
    }
  });
}

/**
 * Makes `dataDir` a copy of the template, making the template first when the machine has none or its has been
 * damaged (initdb into a sibling folder, its inventory written, then a rename: two processes making it at once both
 * finish, one template stays). The copy is made beside `dataDir` and renamed onto it, so an interrupted copy never
 * leaves a half cluster where a server looks; what an interrupted run staged is removed on Ctrl-C, and by the next
 * run after a kill. `cp -a` keeps modes and owners (as root the files belong to `postgres`, as initdb made them).
 * A damaged template (templateProblem) is said once as a warning and made again.
 * Returns false, with the reason at debug level, when the template cannot be made or copied (an unwritable cache
 * folder, say): the caller then runs initdb on `dataDir` itself, as before templates. A `dataDir` that holds files
 * is left alone and also returns false, so initdb reports it as it always did.
 */
export async function clusterFromTemplate(options: ClusterFromTemplateOptions): Promise<boolean> {
  const { dataDir, template, logger } = options;
  try {
    await sweepStaging(dataDir);
    if (await cacheFolder(template, `The cluster template ${template}`, 'making it again', logger, options.initdb)) logger.debug(`made the cluster template ${template}`);
    await staged(dataDir, async (copy) => {
      const result = await execProgram('cp', ['-a', template, copy]);
      if (result.exitCode !== 0) throw new Error(`cp -a exited ${result.exitCode}: ${result.stderr.trim()}`);
      await rm(join(copy, INVENTORY));
      // `cp -a` kept the template's owner, which is another user's when CRUDDUR_CACHE_DIR is shared: as root the
      // cluster is the server's user's whoever made the template.
      if (options.owner) {
        const chown = await execProgram('chown', ['-R', `${options.owner.uid}:${options.owner.gid}`, copy]);
        if (chown.exitCode !== 0) throw new Error(`chown -R exited ${chown.exitCode}: ${chown.stderr.trim()}`);
      }
      // rename(2) replaces an empty folder and refuses one with files (ENOTEMPTY/EEXIST).
      await rename(copy, dataDir);
    });
    return true;
  } catch (error) {
    logger.debug(`no cluster template (${errorMessage(error)}); running initdb on ${dataDir}`);
    return false;
  }
}
