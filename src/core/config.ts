import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { readEnvFile } from './env-file.js';
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
  /** DynamoDB table definition (a CreateTable input as JSON); the built-in messages table when the default path is absent. */
  ddbSchema: string;
  /** DynamoDB seed items (plain JSON or DynamoDB JSON, see docs/ddb.md). */
  ddbSeed: string;
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
  ddbSchema: 'backend-flask/db/ddb-schema.json',
  ddbSeed: 'backend-flask/db/ddb-seed.json',
};

/**
 * Where a resolved setting came from, highest precedence first: a command-line flag, the process
 * environment, the generated `sync.env` (frontend sync settings only), `.env.local`, `.env`, the `env`
 * object of `cruddur.json`, `.cruddur/local.env` written by `cruddur local up` (the local stack), a
 * built-in default.
 */
export type SettingSource = 'flag' | 'env' | 'sync.env' | '.env.local' | '.env' | 'cruddur.json' | 'local stack' | 'default';

/** A source that is a layer of variables (everything but flags and defaults). */
export type EnvSource = Exclude<SettingSource, 'flag' | 'default'>;

/** One setting's value and where it came from. */
export interface ResolvedSetting {
  /** The value as written (never blank). */
  value: string;
  source: SettingSource;
  /** The flag (`--bucket`) or variable (`SYNC_CLOUDFRONT_DISTRUBTION_ID`) that held it; absent for a default. */
  name?: string;
}

/** What to look up: see {@link ProjectConfig.setting}. */
export interface SettingQuery {
  /** Variables to read, in order of preference within one layer (e.g. the right and the bootcamp's misspelt name). */
  variables: readonly string[];
  /** The command-line flag, when the command has one: `name` as typed (`--bucket`), `value` undefined when not given. */
  flag?: { name: string; value: string | undefined };
  /**
   * Also read the generated `sync.env` (written by `cruddur env generate sync`), ranked right after the process
   * environment. Only the frontend sync settings ask for it: it is an output of `env generate`, so it is never
   * part of {@link ProjectConfig.env} (a template reading it would feed on its own stale output).
   */
  syncEnv?: boolean;
  /** The built-in default, reported with source `default`. */
  default?: string;
}

export interface ProjectConfig {
  root: string;
  /** Whether the root was found by a marker (cruddur.json or .git) rather than assumed. */
  rootFound: boolean;
  paths: ProjectPaths;
  /** Variables after precedence: process env > .env.local > .env > cruddur.json "env" > .cruddur/local.env. */
  env: Readonly<Record<string, string>>;
  /** The layer `env[name]` came from. */
  sourceOf(name: string): EnvSource | undefined;
  /** cruddur.json's `frontend` object without `path` (the sync's settings), unvalidated. */
  frontend?: Readonly<Record<string, unknown>>;
  /**
   * The one settings resolver: every setting a command or `doctor` reads goes through it, so both see the same
   * value. Precedence, highest first: the flag, then for each layer (process env, `sync.env` when asked, `.env.local`,
   * `.env`, `cruddur.json`, local stack) the first of `variables` set there, then `default`. A blank value
   * (empty or spaces) counts as unset, so `VAR=` in CI falls through to the next layer. Undefined when nothing is set.
   */
  setting(query: SettingQuery): ResolvedSetting | undefined;
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

const STRING_PATH_KEYS = ['envOutDir', 'schema', 'seed', 'migrations', 'frontend', 'buildDir', 'avatarSample', 'changeset', 'ddbSchema', 'ddbSeed'] as const;
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

export interface LoadConfigOptions {
  cwd?: string;
  env?: Readonly<Record<string, string | undefined>>;
  /** Where env-file warnings go (an unset `${VAR}`, naming file and line); default: ignored. */
  warn?: (message: string) => void;
}

export const SYNC_ENV_FILE = 'sync.env';

export function loadProjectConfig(options: LoadConfigOptions = {}): ProjectConfig {
  const { root, found } = findProjectRoot(options.cwd ?? process.cwd());
  const configPath = join(root, CONFIG_FILE);
  const raw = existsSync(configPath)
    ? parseConfigFile(readFileSync(configPath, 'utf8'), CONFIG_FILE)
    : { paths: {}, env: {} };
  const paths = { ...DEFAULT_PATHS, ...raw.paths };
  const resolvePath = (path: string) => (isAbsolute(path) ? path : join(root, path));

  const processEnv = { ...(options.env ?? process.env) };
  const readEnv = (file: string) => readEnvFile(join(root, file), { file, lookup: processEnv, warn: options.warn });
  const layers: Array<[EnvSource, Readonly<Record<string, string | undefined>>]> = [
    ['env', processEnv],
    ['.env.local', readEnv('.env.local')],
    ['.env', readEnv('.env')],
    ['cruddur.json', raw.env],
    ['local stack', readEnv(LOCAL_ENV_FILE)],
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
  let syncEnv: Record<string, string> | undefined;
  const syncLayer = (): [EnvSource, Record<string, string>] => {
    syncEnv ??= readEnvFile(join(resolvePath(paths.envOutDir), SYNC_ENV_FILE), { file: SYNC_ENV_FILE, lookup: processEnv, warn: options.warn });
    return ['sync.env', syncEnv];
  };
  const setting = (query: SettingQuery): ResolvedSetting | undefined => {
    if (query.flag && isSet(query.flag.value)) return { value: query.flag.value, source: 'flag', name: query.flag.name };
    const [first, ...rest] = layers;
    const ordered = query.syncEnv && first ? [first, syncLayer(), ...rest] : layers;
    for (const [source, values] of ordered) {
      for (const name of query.variables) {
        const value = values[name];
        if (isSet(value)) return { value, source, name };
      }
    }
    return isSet(query.default) ? { value: query.default, source: 'default' } : undefined;
  };
  return {
    root,
    rootFound: found,
    paths,
    env,
    sourceOf: (name) => sources.get(name),
    ...(raw.frontend ? { frontend: raw.frontend } : {}),
    setting,
    resolve: resolvePath,
  };
}

const isSet = (value: string | undefined): value is string => value !== undefined && value.trim() !== '';

/** "SYNC_S3_BUCKET (sync.env)", "--bucket (flag)", "(default)": a resolved setting's origin, for tables and --verbose. */
export function describeSource(setting: Pick<ResolvedSetting, 'source' | 'name'>): string {
  return setting.name ? `${setting.name} (${setting.source})` : `(${setting.source})`;
}
