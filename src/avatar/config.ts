import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { EnvSource, ProjectConfig } from '../core/config.js';
import { readEnvFile } from '../core/env-file.js';
import { CruddurError } from '../core/errors.js';
import { parseThumbnailSettings, thumbnailSettings, type ThumbnailSettings } from './transform.js';

/**
 * The one avatar configuration. Every avatar command and the local thumbnail worker call
 * `resolveAvatarConfig` once and use what it returns; `cruddur avatar config` prints it with sources.
 *
 * Names come from the bootcamp (week 8): the CDK app's `thumbing-serverless-cdk/.env` sets
 * THUMBING_BUCKET_NAME, THUMBING_S3_FOLDER_INPUT/OUTPUT and THUMBING_FUNCTION_PATH; the stack gives
 * the Lambda DEST_BUCKET_NAME, FOLDER_INPUT/OUTPUT and PROCESS_WIDTH/HEIGHT; a journal names the
 * assets bucket `assets.<DOMAIN_NAME>`.
 */

/** The CDK app's settings file, relative to the project root. */
export const CDK_ENV_FILE = 'thumbing-serverless-cdk/.env';

/** A value and where it came from, e.g. `THUMBING_BUCKET_NAME in thumbing-serverless-cdk/.env`. */
export interface Setting<T> {
  value: T;
  source: string;
}

/**
 * How the handler names its output:
 * - `name`: `<outputFolder>/<name without extension><extension>` (cruddur's handler);
 * - `replace-folder`: the source key with the input folder replaced by the output folder, extension
 *   kept (the bootcamp's handler: `avatars/original/me.jpg` -> `avatars/processed/me.jpg`).
 */
export type KeyRule = 'name' | 'replace-folder';
export type OutputFormat = 'jpeg' | 'png' | 'webp' | 'avif';

export interface HandlerLocation {
  folder: string;
  /** The module file Lambda loads (`index.js` for the handler string `index.handler`). */
  file: string;
  exportName: string;
  /** `cruddur`: made by `avatar build --init` (reads thumbnail-settings.json); `user`: the user's own code. */
  kind: 'cruddur' | 'user';
}

export interface AvatarConfig {
  root: string;
  uploadsBucket?: Setting<string>;
  assetsBucket?: Setting<string>;
  /** Uploads are read under this folder ('' = the whole bucket); the Lambda trigger's prefix. */
  inputFolder: Setting<string>;
  outputFolder: Setting<string>;
  width: Setting<number>;
  height: Setting<number>;
  format: Setting<OutputFormat>;
  keyRule: Setting<KeyRule>;
  /** The handler folder, or why none was found. */
  handler: Setting<HandlerLocation | undefined>;
  distributionId?: Setting<string>;
  domain?: Setting<string>;
  /** The transform used when the handler cannot run here (and by `avatar process` without --lambda). */
  transform: ThumbnailSettings;
}

export interface AvatarFlags {
  /** `--dir`: the handler folder. */
  dir?: string;
}

type Lookup = (name: string) => Setting<string> | undefined;

/**
 * Values by name, highest first: flags (given separately), the process environment, `.env.local`,
 * `.env`, the CDK app's `.env`, `cruddur.json`; the local stack's `.cruddur/local.env` only when
 * nothing else names the setting (its bucket names are defaults, not the user's choice).
 */
function lookups(project: ProjectConfig): { explicit: Lookup; local: Lookup; cdk: Record<string, string> } {
  const cdk = readEnvFile(join(project.root, CDK_ENV_FILE), { file: CDK_ENV_FILE, lookup: project.env });
  const from = (name: string, allowed: (s: EnvSource | undefined) => boolean): Setting<string> | undefined => {
    const value = project.env[name]?.trim();
    const source = project.sourceOf(name);
    const where = source === 'env' ? 'the environment' : source === 'local stack' ? '.cruddur/local.env' : source;
    return value && allowed(source) ? { value, source: `${name} from ${where}` } : undefined;
  };
  const explicit: Lookup = (name) => {
    const high = from(name, (s) => s === 'env' || s === '.env.local' || s === '.env');
    if (high) return high;
    const value = cdk[name]?.trim();
    if (value) return { value, source: `${name} from ${CDK_ENV_FILE}` };
    return from(name, (s) => s === 'cruddur.json');
  };
  const local: Lookup = (name) => from(name, (s) => s === 'local stack');
  return { explicit, local, cdk };
}

function first(lookup: Lookup, names: string[]): Setting<string> | undefined {
  for (const name of names) {
    const found = lookup(name);
    if (found) return found;
  }
  return undefined;
}

/** `avatars/original/` -> `avatars/original`; `/` and '' -> ''. */
export function normalizeFolder(folder: string): string {
  return folder.trim().replace(/^\/+|\/+$/g, '');
}

function positive(setting: Setting<string>): Setting<number> {
  const value = Number(setting.value);
  if (!Number.isInteger(value) || value <= 0 || value > 16384) {
    throw new CruddurError(`${setting.source} is "${setting.value}", not a size in pixels`, {
      suggestion: 'set it to a whole number of pixels such as 512',
      code: 'AVATAR_BAD_SIZE',
    });
  }
  return { value, source: setting.source };
}

const HANDLER_FILES = ['index.js', 'index.mjs', 'index.cjs'];
const HANDLER_EXPORT = /exports\.handler\s*=|export\s+(async\s+)?function\s+handler\b|export\s+(const|let|var)\s+handler\b|module\.exports\s*=\s*\{[^}]*\bhandler\b|export\s*\{[^}]*\bhandler\b/;

interface PackageJson {
  main?: string;
  dependencies?: Record<string, string>;
}

function readPackageJson(folder: string): PackageJson | undefined {
  try {
    return JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as PackageJson;
  } catch {
    return undefined;
  }
}

/**
 * The handler in a folder: Lambda's `index.handler` (the bootcamp stack's handler string) in
 * index.js/.mjs/.cjs, or package.json "main", exporting `handler`. Undefined when there is none.
 */
export function findHandler(folder: string): HandlerLocation | undefined {
  const manifest = readPackageJson(folder);
  const files = [...HANDLER_FILES, ...(manifest?.main ? [manifest.main] : [])];
  for (const name of files) {
    const file = join(folder, name);
    if (!existsSync(file)) continue;
    const text = readFileSync(file, 'utf8');
    if (!HANDLER_EXPORT.test(text)) continue;
    const kind = existsSync(join(folder, 'thumbnail-settings.json')) && text.includes('thumbnail-settings.json') ? 'cruddur' : 'user';
    return { folder, file, exportName: 'handler', kind };
  }
  return undefined;
}

/** Whether a folder's package.json lists sharp (a Lambda that makes thumbnails needs it). */
export function dependsOnSharp(folder: string): boolean {
  return Boolean(readPackageJson(folder)?.dependencies?.sharp);
}

/**
 * THUMBING_FUNCTION_PATH is absolute in the bootcamp (`/workspaces/aws-bootcamp-cruddur-2023/aws/...`,
 * a Gitpod path). When it does not exist here, the longest tail of it that exists under the root is used.
 */
export function rerootPath(root: string, path: string): string | undefined {
  if (!isAbsolute(path)) return join(root, path);
  if (existsSync(path)) return path;
  const parts = path.split(sep).filter(Boolean);
  for (let i = 1; i < parts.length; i++) {
    const candidate = join(root, ...parts.slice(i));
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

function resolveHandler(project: ProjectConfig, explicit: Lookup, flags: AvatarFlags): Setting<HandlerLocation | undefined> {
  const named = flags.dir ? { value: flags.dir, source: '--dir' } : explicit('THUMBING_FUNCTION_PATH');
  if (named) {
    const folder = rerootPath(project.root, named.value);
    if (!folder || !existsSync(folder)) return { value: undefined, source: `${named.source} is ${named.value}, which does not exist` };
    const handler = findHandler(folder);
    const where = relative(project.root, folder) || '.';
    if (!handler) return { value: undefined, source: `${named.source} names ${where}, which has no handler (index.js exporting handler)` };
    const moved = isAbsolute(named.value) && folder !== named.value ? ` (found at ${where} in this checkout)` : '';
    return { value: handler, source: `${named.source}${moved}` };
  }
  const looked: string[] = [];
  for (const candidate of project.paths.lambda) {
    const folder = project.resolve(candidate);
    looked.push(candidate);
    if (!dependsOnSharp(folder)) continue;
    const handler = findHandler(folder);
    if (handler) return { value: handler, source: `${candidate}: its package.json lists sharp and index.js exports handler` };
  }
  return { value: undefined, source: `no folder with a handler and sharp among ${looked.join(', ')}` };
}

const FORMATS: OutputFormat[] = ['jpeg', 'png', 'webp', 'avif'];

/**
 * Resolves the avatar configuration once. Throws only for values that are set but wrong (a size that
 * is not a number, an unknown format); missing buckets are left undefined for the command to require.
 */
export function resolveAvatarConfig(project: ProjectConfig, flags: AvatarFlags = {}): AvatarConfig {
  const { explicit, local } = lookups(project);
  const handler = resolveHandler(project, explicit, flags);

  // cruddur's handler keeps its transform in the user's folder: that file is the definition.
  let transform = thumbnailSettings();
  let transformSource = 'cruddur default';
  if (handler.value?.kind === 'cruddur') {
    const file = join(handler.value.folder, 'thumbnail-settings.json');
    transform = parseThumbnailSettings(JSON.parse(readFileSync(file, 'utf8')) as unknown, file);
    transformSource = `${relative(project.root, file)}`;
  }

  const assetsBucket =
    first(explicit, ['ASSETS_BUCKET_NAME', 'THUMBING_BUCKET_NAME', 'DEST_BUCKET_NAME']) ??
    (() => {
      const domain = explicit('DOMAIN_NAME');
      return domain ? { value: `assets.${domain.value.replace(/^https?:\/\//, '').replace(/\/+$/, '')}`, source: `assets.<DOMAIN_NAME> (${domain.source})` } : undefined;
    })() ??
    local('ASSETS_BUCKET_NAME');
  const inputSetting = first(explicit, ['THUMBING_S3_FOLDER_INPUT', 'FOLDER_INPUT']);
  const inputFolder = inputSetting ? { value: normalizeFolder(inputSetting.value), source: inputSetting.source } : { value: '', source: 'default (the whole uploads bucket)' };
  // One bucket for both (the first week-8 stack): uploads go to the input folder of the assets bucket.
  const uploadsBucket =
    explicit('UPLOADS_BUCKET_NAME') ??
    (inputFolder.value && assetsBucket ? { value: assetsBucket.value, source: `the assets bucket (an input folder is set: one bucket for both)` } : undefined) ??
    local('UPLOADS_BUCKET_NAME');
  const outputSetting = first(explicit, ['THUMBING_S3_FOLDER_OUTPUT', 'FOLDER_OUTPUT']);
  const outputFolder = outputSetting
    ? { value: normalizeFolder(outputSetting.value), source: outputSetting.source }
    : { value: normalizeFolder(transform.outputFolder), source: transformSource };
  const widthSetting = explicit('PROCESS_WIDTH');
  const heightSetting = explicit('PROCESS_HEIGHT');
  const ownHandler = handler.value?.kind === 'cruddur';
  // cruddur's handler ignores PROCESS_WIDTH/HEIGHT: its settings file is the one place for the size.
  const width = widthSetting && !ownHandler ? positive(widthSetting) : { value: transform.width, source: transformSource };
  const height = heightSetting && !ownHandler ? positive(heightSetting) : { value: transform.height, source: transformSource };

  const formatSetting = explicit('AVATAR_FORMAT');
  let format: Setting<OutputFormat>;
  if (formatSetting) {
    const value = formatSetting.value.toLowerCase().replace(/^jpg$/, 'jpeg') as OutputFormat;
    if (!FORMATS.includes(value)) {
      throw new CruddurError(`${formatSetting.source} is "${formatSetting.value}", not an avatar format`, {
        suggestion: `set it to one of ${FORMATS.join(', ')}`,
        code: 'AVATAR_BAD_FORMAT',
      });
    }
    format = { value, source: formatSetting.source };
  } else {
    format = { value: transform.format ?? 'jpeg', source: transformSource };
  }

  const ruleSetting = explicit('AVATAR_KEY_RULE');
  let keyRule: Setting<KeyRule>;
  if (ruleSetting) {
    if (ruleSetting.value !== 'name' && ruleSetting.value !== 'replace-folder') {
      throw new CruddurError(`${ruleSetting.source} is "${ruleSetting.value}"`, { suggestion: 'set it to name or replace-folder', code: 'AVATAR_BAD_KEY_RULE' });
    }
    keyRule = { value: ruleSetting.value, source: ruleSetting.source };
  } else if (ownHandler || !inputFolder.value) {
    keyRule = { value: 'name', source: ownHandler ? "cruddur's handler" : 'default (no input folder)' };
  } else {
    keyRule = { value: 'replace-folder', source: `${inputFolder.source} (the bootcamp handler replaces the input folder)` };
  }

  const effective: ThumbnailSettings = { ...transform, width: width.value, height: height.value, outputFolder: outputFolder.value, format: format.value };
  if (!ownHandler && format.value !== (transform.format ?? 'jpeg')) {
    effective.contentType = `image/${format.value}`;
    effective.outputExtension = format.value === 'jpeg' ? '.jpg' : `.${format.value}`;
  }
  return {
    root: project.root,
    uploadsBucket,
    assetsBucket,
    inputFolder,
    outputFolder,
    width,
    height,
    format,
    keyRule,
    handler,
    distributionId: explicit('CLOUDFRONT_DISTRIBUTION_ID'),
    domain: explicit('DOMAIN_NAME'),
    transform: effective,
  };
}

/** The uploads key for a file name or a key: under the input folder when one is set (a key already there is kept). */
/**
 * Why an explicit uploads key cannot name an image object, or undefined: empty, a folder (`x/`, S3's folder
 * marker convention, which the Lambda would turn into `avatars/.jpg`), or an empty path segment (`/me.png`, `a//b`).
 */
export function uploadKeyProblem(key: string): string | undefined {
  if (key.trim() === '') return 'is empty';
  if (key.endsWith('/')) return 'names a folder, not an object';
  if (key.startsWith('/') || key.includes('//')) return 'has an empty path segment (S3 keeps the slash as part of the name)';
  return undefined;
}

export function uploadKeyFor(config: AvatarConfig, name: string): string {
  const input = config.inputFolder.value;
  return input && !name.startsWith(`${input}/`) ? `${input}/${name}` : name;
}

/**
 * The assets key the handler writes for an uploads key (see KeyRule), or undefined when the key is
 * not one the handler processes: outside the input folder, or inside the output folder (one bucket for
 * both must never reprocess its own output).
 */
export function avatarKeyFor(config: AvatarConfig, uploadKey: string): string | undefined {
  const input = config.inputFolder.value;
  const output = config.outputFolder.value;
  if (input && !uploadKey.startsWith(`${input}/`)) return undefined;
  if (config.uploadsBucket?.value === config.assetsBucket?.value && output && uploadKey.startsWith(`${output}/`)) return undefined;
  if (config.keyRule.value === 'replace-folder' && input) return `${output}/${uploadKey.slice(input.length + 1)}`;
  const base = uploadKey.split('/').pop() ?? uploadKey;
  const dot = base.lastIndexOf('.');
  return `${output ? `${output}/` : ''}${dot > 0 ? base.slice(0, dot) : base}${config.transform.outputExtension}`;
}

/** Each value with its source, for `avatar config`. */
export function describeAvatarConfig(config: AvatarConfig): Array<{ name: string; value: string; source: string }> {
  const row = (name: string, setting: Setting<unknown> | undefined, show: (v: never) => string = String) =>
    ({ name, value: setting === undefined || setting.value === undefined ? '(not set)' : show(setting.value as never), source: setting?.source ?? '' });
  return [
    row('uploads bucket', config.uploadsBucket),
    row('assets bucket', config.assetsBucket),
    row('input folder', config.inputFolder, (v: string) => v || '(whole bucket)'),
    row('output folder', config.outputFolder),
    row('size', { value: `${config.width.value}x${config.height.value}`, source: config.width.source === config.height.source ? config.width.source : `${config.width.source}; ${config.height.source}` }),
    row('format', config.format),
    row('key rule', config.keyRule),
    row('handler', config.handler, (h: HandlerLocation) => `${relative(config.root, h.file) || h.file} (${h.kind === 'cruddur' ? "cruddur's handler" : 'your handler'})`),
    row('CloudFront distribution', config.distributionId),
    row('domain', config.domain),
  ];
}

/** Where `avatar build --init` puts cruddur's handler: --dir, else THUMBING_FUNCTION_PATH (when it exists here), else the last "lambda" folder. */
export function initFolder(project: ProjectConfig, dir?: string): string {
  if (dir) return project.resolve(dir);
  const named = lookups(project).explicit('THUMBING_FUNCTION_PATH');
  const found = named ? rerootPath(project.root, named.value) : undefined;
  if (found) return found;
  return project.resolve(project.paths.lambda[project.paths.lambda.length - 1] ?? 'aws/lambdas/process-images');
}
