import { existsSync } from 'node:fs';
import { cp, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { CruddurError } from '../core/errors.js';
import type { ExecOptions, ExecResult } from '../core/exec.js';
import type { Logger } from '../core/output.js';
import { LAMBDA_TEMPLATE_DIR } from './transform.js';

/** The Lambda runtime: Amazon Linux, x86_64, glibc. */
export const LAMBDA_PLATFORM = { os: 'linux', cpu: 'x64', libc: 'glibc' } as const;
export const NPM_INSTALL_ARGS = ['install', `--os=${LAMBDA_PLATFORM.os}`, `--cpu=${LAMBDA_PLATFORM.cpu}`, `--libc=${LAMBDA_PLATFORM.libc}`, '--no-audit', '--no-fund'];
export const SHARP_BINARY = '@img/sharp-linux-x64';
export const LIBVIPS_BINARY = '@img/sharp-libvips-linux-x64';

export type Exec = (file: string, args: string[], options?: ExecOptions) => Promise<ExecResult>;

/** The first candidate folder holding a package.json, or undefined. */
export function findLambdaFolder(root: string, candidates: string[], exists: (path: string) => boolean = existsSync): string | undefined {
  return candidates.map((c) => join(root, c)).find((dir) => exists(join(dir, 'package.json')));
}

interface PackageJson {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

async function readPackage(path: string): Promise<PackageJson | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as PackageJson;
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw new CruddurError(`${path} is not valid JSON`, { suggestion: `fix ${path}`, code: 'AVATAR_BAD_PACKAGE_JSON', cause: error });
  }
}

export interface BuildOptions {
  root: string;
  candidates: string[];
  /** An explicit folder (--dir) instead of the configured candidates. */
  dir?: string;
  /** Copy cruddur's Lambda template into the folder when it has none. */
  init: boolean;
}

export interface BuildResult {
  folder: string;
  initialised: boolean;
  command: string;
  sharp: { version: string; binary: string; binaryVersion: string; libvips: boolean };
}

/**
 * `avatar build`: installs the Lambda folder's dependencies for linux-x64 glibc (sharp's Lambda
 * binary, whatever this machine is), then checks that the binary matching sharp's version is there.
 */
export async function buildLambda(options: BuildOptions, deps: { exec: Exec; logger: Logger }): Promise<BuildResult> {
  const candidates = options.dir ? [options.dir] : options.candidates;
  let folder = findLambdaFolder(options.root, candidates);
  let initialised = false;
  if (!folder && options.init) {
    folder = join(options.root, options.dir ?? candidates[candidates.length - 1] ?? 'aws/lambdas/process-images');
    await cp(LAMBDA_TEMPLATE_DIR, folder, { recursive: true, errorOnExist: false, force: false });
    initialised = true;
    deps.logger.info(`Created ${relative(options.root, folder)} from cruddur's thumbnail Lambda template`);
  }
  if (!folder) {
    throw new CruddurError(`No Lambda folder found (looked for package.json in ${candidates.join(', ')})`, {
      suggestion: 'pass --dir, set "lambda" in cruddur.json, or run `cruddur avatar build --init` to start from cruddur\'s template',
      code: 'AVATAR_NO_LAMBDA',
    });
  }
  const name = relative(options.root, folder) || '.';
  const manifest = await readPackage(join(folder, 'package.json'));
  if (!manifest?.dependencies?.sharp) {
    throw new CruddurError(`${name}/package.json does not depend on sharp`, {
      suggestion: `add it: (cd ${name} && npm install sharp)`,
      code: 'AVATAR_NO_SHARP',
    });
  }

  deps.logger.info(`Installing ${name} dependencies for ${LAMBDA_PLATFORM.os}-${LAMBDA_PLATFORM.cpu} (${LAMBDA_PLATFORM.libc}) ...`);
  const result = await deps.exec('npm', NPM_INSTALL_ARGS, {
    cwd: folder,
    installHint: 'install Node.js with npm (https://nodejs.org) and make sure npm is on PATH',
    timeoutMs: 10 * 60_000,
  });
  if (result.exitCode !== 0) {
    const tail = (result.stderr || result.stdout).trim().split('\n').slice(-5).join(' | ');
    throw new CruddurError(`npm install failed in ${name} (exit ${result.exitCode}): ${tail}`, {
      suggestion: `run \`npm ${NPM_INSTALL_ARGS.join(' ')}\` in ${name} to see the whole output`,
      code: 'AVATAR_NPM_FAILED',
    });
  }
  deps.logger.debug(result.stdout.trim());
  return { folder, initialised, command: `npm ${NPM_INSTALL_ARGS.join(' ')}`, sharp: await verifySharpBinary(folder, name) };
}

/** Checks node_modules for the linux-x64 sharp binary at the version sharp itself asks for. */
export async function verifySharpBinary(folder: string, name = folder): Promise<BuildResult['sharp']> {
  const sharp = await readPackage(join(folder, 'node_modules', 'sharp', 'package.json'));
  if (!sharp?.version) {
    throw new CruddurError(`sharp is not installed in ${name}/node_modules after npm install`, {
      suggestion: `check ${name}/package.json and run the install again`,
      code: 'AVATAR_SHARP_MISSING',
    });
  }
  const wanted = sharp.optionalDependencies?.[SHARP_BINARY];
  const binary = await readPackage(join(folder, 'node_modules', ...SHARP_BINARY.split('/'), 'package.json'));
  if (!binary?.version) {
    throw new CruddurError(`${SHARP_BINARY} (sharp's Lambda binary) was not installed in ${name}`, {
      suggestion: `use npm 10.8 or newer (it understands --os/--cpu/--libc), then remove ${name}/node_modules and run \`cruddur avatar build\` again`,
      code: 'AVATAR_SHARP_BINARY_MISSING',
    });
  }
  if (wanted && wanted !== binary.version) {
    throw new CruddurError(`${SHARP_BINARY} ${binary.version} does not match sharp ${sharp.version} (which needs ${wanted})`, {
      suggestion: `remove ${name}/node_modules and ${name}/package-lock.json, then run \`cruddur avatar build\` again`,
      code: 'AVATAR_SHARP_BINARY_MISMATCH',
    });
  }
  const libvips = existsSync(join(folder, 'node_modules', ...LIBVIPS_BINARY.split('/'), 'package.json'));
  if (!libvips) {
    throw new CruddurError(`${LIBVIPS_BINARY} (libvips for the Lambda) was not installed in ${name}`, {
      suggestion: `remove ${name}/node_modules and run \`cruddur avatar build\` again`,
      code: 'AVATAR_SHARP_BINARY_MISSING',
    });
  }
  return { version: sharp.version, binary: SHARP_BINARY, binaryVersion: binary.version, libvips };
}
