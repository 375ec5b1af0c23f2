import { existsSync } from 'node:fs';
import { cp, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { CruddurError } from '../core/errors.js';
import type { ExecOptions, ExecResult } from '../core/exec.js';
import type { Logger } from '../core/output.js';
import type { HandlerLocation } from './config.js';
import { LAMBDA_TEMPLATE_DIR } from './transform.js';

/** The Lambda runtime: Amazon Linux, x86_64, glibc. */
export const LAMBDA_PLATFORM = { os: 'linux', cpu: 'x64', libc: 'glibc' } as const;
export const NPM_INSTALL_ARGS = ['install', `--os=${LAMBDA_PLATFORM.os}`, `--cpu=${LAMBDA_PLATFORM.cpu}`, `--libc=${LAMBDA_PLATFORM.libc}`, '--no-audit', '--no-fund'];
export const SHARP_BINARY = '@img/sharp-linux-x64';
export const LIBVIPS_BINARY = '@img/sharp-libvips-linux-x64';

export type Exec = (file: string, args: string[], options?: ExecOptions) => Promise<ExecResult>;

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
  /** The handler folder the avatar configuration found, or undefined. */
  handler?: HandlerLocation;
  /** Why that folder (or why none): the configuration's source text. */
  reason: string;
  /** Where `--init` puts cruddur's handler when there is none (--dir, THUMBING_FUNCTION_PATH, or the default). */
  initFolder: string;
  /** Copy cruddur's Lambda template into the folder when it has no handler. */
  init: boolean;
}

export interface BuildResult {
  folder: string;
  /** Why this folder was picked. */
  reason: string;
  initialised: boolean;
  command: string;
  sharp: { version: string; binary: string; binaryVersion: string; libvips: boolean };
}

/**
 * `avatar build`: installs the handler folder's dependencies for linux-x64 glibc (sharp's Lambda
 * binary, whatever this machine is), then checks that the binary matching sharp's version is there.
 * The folder is the one holding the handler (THUMBING_FUNCTION_PATH, else the folder whose package.json
 * lists sharp and whose index.js exports handler): never the CDK app, whose package.json may list sharp too.
 */
export async function buildLambda(options: BuildOptions, deps: { exec: Exec; logger: Logger }): Promise<BuildResult> {
  let folder = options.handler?.folder;
  let reason = options.reason;
  let initialised = false;
  if (!folder && options.init) {
    folder = options.initFolder;
    if (existsSync(join(folder, 'index.js')) || existsSync(join(folder, 'index.mjs'))) {
      throw new CruddurError(`${relative(options.root, folder)} has an index.js without a Lambda handler; --init will not overwrite it`, {
        suggestion: 'export handler from it, or pass --dir with an empty folder for cruddur\'s handler',
        code: 'AVATAR_NO_HANDLER',
      });
    }
    await cp(LAMBDA_TEMPLATE_DIR, folder, { recursive: true, errorOnExist: false, force: false });
    initialised = true;
    reason = "--init: cruddur's handler was copied here";
    deps.logger.info(`Created ${relative(options.root, folder)} from cruddur's thumbnail Lambda template`);
  }
  if (!folder) {
    throw new CruddurError(`No Lambda handler folder: ${options.reason}`, {
      suggestion: 'set THUMBING_FUNCTION_PATH (thumbing-serverless-cdk/.env) or pass --dir to the folder with your index.js, or run `cruddur avatar build --init` to start from cruddur\'s handler',
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
  return { folder, reason, initialised, command: `npm ${NPM_INSTALL_ARGS.join(' ')}`, sharp: await verifySharpBinary(folder, name) };
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
