import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { CruddurError } from './errors.js';

/** Paths inside the user's repository; every one can be changed in cruddur.json. */
export interface ProjectPaths {
  templates: string[];
  envOutDir: string;
  schema: string;
  seed: string;
  migrations: string;
  frontend: string;
  buildDir: string;
  lambda: string[];
  avatarSample: string;
  changeset: string;
}

export const DEFAULT_PATHS: ProjectPaths = {
  templates: ['erb', 'templates'],
  envOutDir: '.',
  schema: 'backend-flask/db/schema.sql',
  seed: 'backend-flask/db/seed.sql',
  migrations: 'backend-flask/db/migrations',
  frontend: 'frontend-react-js',
  buildDir: 'frontend-react-js/build',
  lambda: ['thumbing-serverless-cdk', 'aws/lambdas/process-images'],
  avatarSample: 'bin/avatar/files/data.jpg',
  changeset: 'tmp/changeset.json',
};

export type EnvSource = 'process' | '.env.local' | '.env' | 'cruddur.json' | '.cruddur/local.env';

export interface ProjectConfig {
  root: string;
  /** Whether the root was found by a marker (cruddur.json or .git) rather than assumed. */
  rootFound: boolean;
  paths: ProjectPaths;
  /** Variables after precedence: process env > .env.local > .env > cruddur.json "env" > .cruddur/local.env. */
  env: Readonly<Record<string, string>>;
  sourceOf(name: string): EnvSource | undefined;
  /** cruddur.json's `frontend` object without `path` (the sync's settings), unvalidated. */
  frontend?: Readonly<Record<string, unknown>>;
  /** An absolute path for a configured relative one. */
  resolve(path: string): string;
}

export const CONFIG_FILE = 'cruddur.json';
export const LOCAL_ENV_FILE = join('.cruddur', 'local.env');

/** Walks up from `start` to the first folder holding cruddur.json or .git. */
export function findProjectRoot(start: string): { root: string; found: boolean } {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, CONFIG_FILE)) || existsSync(join(dir, '.git'))) return { root: dir, found: true };
    const parent = dirname(dir);
    if (parent === dir) return { root: resolve(start), found: false };
    dir = parent;
  }
}

interface RawConfig {
  paths: Partial<ProjectPaths>;
  env: Record<string, string>;
  /** `"frontend": { "path": ..., <sync settings> }`: the sync settings, validated by src/frontend/settings.ts. */
  frontend?: Record<string, unknown>;
}

const STRING_PATH_KEYS = ['envOutDir', 'schema', 'seed', 'migrations', 'frontend', 'buildDir', 'avatarSample', 'changeset'] as const;
const LIST_PATH_KEYS = ['templates', 'lambda'] as const;

/** Parses cruddur.json; unknown keys and wrong types are errors naming the key. */
export function parseConfigFile(text: string, file: string): RawConfig {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new CruddurError(`${file} is not valid JSON: ${(error as Error).message}`, {
      suggestion: `fix the JSON syntax in ${file}`,
      code: 'CONFIG_INVALID',
    });
  }
  const fail = (key: string, problem: string): never => {
    throw new CruddurError(`${file}: "${key}" ${problem}`, {
      suggestion: `fix or remove "${key}" in ${file} (see the README's cruddur.json section)`,
      code: 'CONFIG_INVALID',
    });
  };
  if (typeof data !== 'object' || data === null || Array.isArray(data)) fail('(root)', 'must be a JSON object');
  const object = data as Record<string, unknown>;
  const raw: RawConfig = { paths: {}, env: {} };
  for (const [key, value] of Object.entries(object)) {
    if (key === '$schema') continue;
    if (key === 'env') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('env', 'must be an object of strings');
      for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`env.${name}`, 'must be a string');
        raw.env[name] = v as string;
      }
    } else if (key === 'frontend' && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      // The frontend folder and its sync settings: { "path": "frontend-react-js", "routes": [...], ... }.
      const { path, ...rest } = value as Record<string, unknown>;
      if (path !== undefined) {
        if (typeof path !== 'string' || path === '') fail('frontend.path', 'must be a non-empty string');
        raw.paths.frontend = path as string;
      }
      raw.frontend = rest;
    } else if ((STRING_PATH_KEYS as readonly string[]).includes(key)) {
      if (typeof value !== 'string' || value === '') fail(key, 'must be a non-empty string');
      (raw.paths as Record<string, unknown>)[key] = value;
    } else if ((LIST_PATH_KEYS as readonly string[]).includes(key)) {
      const list = typeof value === 'string' ? [value] : value;
      if (!Array.isArray(list) || list.some((v) => typeof v !== 'string')) fail(key, 'must be a string or an array of strings');
      (raw.paths as Record<string, unknown>)[key] = list;
    } else {
      const known = ['env', ...STRING_PATH_KEYS, ...LIST_PATH_KEYS].join(', ');
      fail(key, `is not a known key (known: ${known})`);
    }
  }
  return raw;
}

function readDotenv(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  return parseDotenv(readFileSync(file));
}

export interface LoadConfigOptions {
  cwd?: string;
  env?: Readonly<Record<string, string | undefined>>;
}

export function loadProjectConfig(options: LoadConfigOptions = {}): ProjectConfig {
  const { root, found } = findProjectRoot(options.cwd ?? process.cwd());
  const configPath = join(root, CONFIG_FILE);
  const raw = existsSync(configPath)
    ? parseConfigFile(readFileSync(configPath, 'utf8'), CONFIG_FILE)
    : { paths: {}, env: {} };

  const layers: Array<[EnvSource, Record<string, string | undefined>]> = [
    ['process', { ...(options.env ?? process.env) }],
    ['.env.local', readDotenv(join(root, '.env.local'))],
    ['.env', readDotenv(join(root, '.env'))],
    ['cruddur.json', raw.env],
    ['.cruddur/local.env', readDotenv(join(root, LOCAL_ENV_FILE))],
  ];
  const env: Record<string, string> = {};
  const sources = new Map<string, EnvSource>();
  for (const [source, values] of layers) {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined || name in env) continue;
      env[name] = value;
      sources.set(name, source);
    }
  }
  return {
    root,
    rootFound: found,
    paths: { ...DEFAULT_PATHS, ...raw.paths },
    env,
    sourceOf: (name) => sources.get(name),
    ...(raw.frontend ? { frontend: raw.frontend } : {}),
    resolve: (path) => (isAbsolute(path) ? path : join(root, path)),
  };
}
