import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ProjectConfig } from '../core/config.js';
import { readEnvFile } from '../core/env-file.js';
import { CruddurError, emptyFlag } from '../core/errors.js';
import type { Logger } from '../core/output.js';
import { discoverTemplates } from '../env/templates.js';

export const FRONTEND_ENV_FILE = 'frontend-react-js.env';

export interface StaticBuildOptions {
  /** The npm script to run (default `build`). */
  script?: string;
  /** Where the build's output goes; stderr keeps stdout clean for --json. */
  output?: NodeJS.WritableStream;
  /** Build even when names the frontend env template defines are unset (--allow-missing). */
  allowMissing?: boolean;
}

export interface StaticBuildResult {
  frontendDir: string;
  buildDir: string;
  script: string;
  exitCode: number;
  /** Names (never values) of the REACT_APP_* variables passed, and where each came from. */
  variables: Array<{ name: string; source: string }>;
  /** Names the frontend env template defines that had no value (only with allowMissing). */
  missing: string[];
  durationMs: number;
}

/**
 * The names the frontend's env template defines (`REACT_APP_BACKEND_URL=<%= ... %>` lines of
 * `frontend-react-js.env.erb`), or [] when the project has no such template. Dotenv syntax: an optional
 * `export `, a name, `=`; comments and blank lines skipped.
 */
export function templateNames(project: ProjectConfig): { template: string | undefined; names: string[] } {
  const template = discoverTemplates(project).find((t) => t.name === FRONTEND_ENV_FILE.replace(/\.env$/, '') && !t.builtIn);
  if (!template || !existsSync(template.path)) return { template: undefined, names: [] };
  const names = [...readFileSync(template.path, 'utf8').matchAll(/^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*=/gm)].map((m) => m[1] as string);
  return { template: template.path, names: [...new Set(names)] };
}

/** REACT_APP_* from the generated env file, overridden by the same names set in the environment. */
export function reactAppVariables(project: ProjectConfig): { values: Record<string, string>; variables: StaticBuildResult['variables'] } {
  const envFile = join(project.resolve(project.paths.envOutDir), FRONTEND_ENV_FILE);
  const fromFile = readEnvFile(envFile, { file: FRONTEND_ENV_FILE, lookup: project.env });
  const values: Record<string, string> = {};
  const variables: StaticBuildResult['variables'] = [];
  const names = new Set([...Object.keys(fromFile), ...Object.keys(project.env)].filter((n) => n.startsWith('REACT_APP_')));
  for (const name of [...names].sort()) {
    const fromEnv = project.env[name];
    if (fromEnv !== undefined) {
      values[name] = fromEnv;
      variables.push({ name, source: project.sourceOf(name) ?? 'environment' });
    } else if (fromFile[name] !== undefined) {
      values[name] = fromFile[name];
      variables.push({ name, source: FRONTEND_ENV_FILE });
    }
  }
  return { values, variables };
}

/** `npm run build` in the frontend folder, streamed, with the REACT_APP_* variables; its exit code is kept. */
export async function staticBuild(project: ProjectConfig, options: StaticBuildOptions, logger: Logger): Promise<StaticBuildResult> {
  const frontendDir = project.resolve(project.paths.frontend);
  if (options.script !== undefined && options.script.trim() === '') throw emptyFlag('--script');
  const script = options.script ?? 'build';
  const rel = relative(project.root, frontendDir) || '.';
  const manifest = join(frontendDir, 'package.json');
  if (!existsSync(manifest)) {
    throw new CruddurError(`No frontend app at ${rel} (no package.json)`, {
      suggestion: 'run from your app repository (or --cwd), or set "frontend" in cruddur.json',
      code: 'FRONTEND_MISSING',
    });
  }
  let scripts: Record<string, unknown> = {};
  try {
    scripts = ((JSON.parse(readFileSync(manifest, 'utf8')) as { scripts?: Record<string, unknown> }).scripts ?? {}) as Record<string, unknown>;
  } catch (error) {
    throw new CruddurError(`${rel}/package.json is not valid JSON: ${(error as Error).message}`, { suggestion: 'fix the JSON syntax', code: 'FRONTEND_MISSING' });
  }
  if (typeof scripts[script] !== 'string') {
    throw new CruddurError(`${rel}/package.json has no "${script}" script`, {
      suggestion: `add "scripts": { "${script}": "react-scripts build" } (or your bundler's build) to ${rel}/package.json`,
      code: 'FRONTEND_NO_BUILD_SCRIPT',
    });
  }
  if (!existsSync(join(frontendDir, 'node_modules')) && !existsSync(join(frontendDir, 'build.js'))) {
    logger.warn(`${rel}/node_modules is missing; run \`npm ci\` in ${rel} if the build cannot find its tools`);
  }
  const { values, variables } = reactAppVariables(project);
  // In CI there is no generated env file: a name the template needs and nobody set would ship an app
  // pointing nowhere. Refuse before building, unless asked to go on.
  const { template, names } = templateNames(project);
  const missing = names.filter((n) => !values[n]);
  if (missing.length > 0 && !options.allowMissing) {
    throw new CruddurError(`The frontend env template needs ${missing.join(', ')}, but ${missing.length > 1 ? 'they are' : 'it is'} not set (${relative(project.root, template ?? '') || template})`, {
      suggestion: `set ${missing.length > 1 ? 'them' : 'it'} in the environment or run \`cruddur env generate frontend-react-js\`; --allow-missing builds anyway`,
      code: 'FRONTEND_ENV_MISSING',
      details: { missing },
    });
  }
  if (missing.length > 0) logger.warn(`building without ${missing.join(', ')} (--allow-missing)`);
  if (variables.length === 0) logger.warn(`no REACT_APP_* variables found (run \`cruddur env generate frontend-react-js\` to write ${FRONTEND_ENV_FILE})`);
  else logger.info(`Building ${rel} with ${variables.map((v) => v.name).join(', ')}`);

  const { execa } = await import('execa');
  const output = options.output ?? process.stderr;
  const started = Date.now();
  const child = execa('npm', ['run', script], {
    cwd: frontendDir,
    env: { ...values, CI: project.env.CI ?? process.env.CI ?? 'false' },
    extendEnv: true,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    reject: false,
    buffer: false,
  });
  child.stdout?.pipe(output, { end: false });
  child.stderr?.pipe(output, { end: false });
  const result = await child;
  if (result.exitCode === undefined) {
    const code = (result.cause as { code?: string } | undefined)?.code ?? (result as { code?: string }).code;
    if (code === 'ENOENT') throw new CruddurError('npm is not installed (not found on PATH)', { suggestion: 'install Node.js 20 (which includes npm)', code: 'PROGRAM_MISSING' });
    throw new CruddurError(`npm run ${script} could not run: ${result.shortMessage}`, { suggestion: 'run it by hand in the frontend folder to see why', code: 'FRONTEND_BUILD_FAILED' });
  }
  const buildDir = project.resolve(project.paths.buildDir);
  return { frontendDir, buildDir, script, exitCode: result.exitCode, variables, missing, durationMs: Date.now() - started };
}
