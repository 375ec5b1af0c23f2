import { readFile, stat, chmod } from 'node:fs/promises';
import { relative } from 'node:path';
import type { ProjectConfig } from '../core/config.js';
import { CruddurError, usageError } from '../core/errors.js';
import { symlinkLoop, writeFilesAtomic } from '../core/fs.js';
import type { Logger } from '../core/output.js';
import { lineDiff } from './diff.js';
import { renderTemplate, type MissingVariable } from './render.js';
import { discoverTemplates, type EnvTemplate } from './templates.js';

export const ENV_FILE_MODE = 0o600;

export type GeneratedStatus = 'written' | 'unchanged' | 'would-change' | 'printed';

export interface GeneratedFile {
  name: string;
  template: string;
  output: string;
  status: GeneratedStatus;
  builtInTemplate: boolean;
  variables: string[];
  /** Rendered text; only returned for --stdout (the command prints it, or puts it in the --json document, redacted). */
  content?: string;
  /** Line diff against the current file, for --check. */
  diff?: string[];
}

export interface GenerateResult {
  files: GeneratedFile[];
  missing: MissingVariable[];
}

export interface GenerateOptions {
  names?: string[];
  check?: boolean;
  stdout?: boolean;
  allowMissing?: boolean;
}

function pickTemplates(all: EnvTemplate[], names: string[] | undefined): EnvTemplate[] {
  if (!names || names.length === 0) return all;
  const known = new Map(all.map((t) => [t.name, t]));
  const unknown = names.filter((n) => !known.has(n.replace(/\.env$/, '')));
  if (unknown.length > 0) {
    throw usageError(
      `Unknown env template${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`,
      `use one of: ${[...known.keys()].join(', ') || '(no templates found)'}`,
    );
  }
  // `env generate sync sync.env` names one template once: rendered, reported and written once.
  return [...new Set(names.map((n) => n.replace(/\.env$/, '')))].map((n) => known.get(n) as EnvTemplate);
}

async function readIfExists(path: string): Promise<{ text: string; mode: number } | undefined> {
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { text, mode: info.mode & 0o777 };
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    if ((error as { code?: string }).code === 'ELOOP') throw symlinkLoop(relative(process.cwd(), path) || path);
    throw error;
  }
}

export function formatMissing(missing: MissingVariable[]): string {
  const byName = new Map<string, string[]>();
  for (const m of missing) {
    const places = byName.get(m.name) ?? [];
    places.push(m.lines.length > 0 ? m.lines.map((l) => `${m.template}:${l}`).join(', ') : m.template);
    byName.set(m.name, places);
  }
  return [...byName].map(([name, places]) => `${name} (${places.join(', ')})`).join(', ');
}

/** Renders every selected template; writes nothing unless all of them render with every variable set. */
export async function generateEnvFiles(project: ProjectConfig, options: GenerateOptions, logger: Logger): Promise<GenerateResult> {
  const templates = pickTemplates(discoverTemplates(project), options.names);
  if (templates.length === 0) {
    throw new CruddurError('No env templates found', {
      suggestion: `add *.env.erb or *.env.ejs files to ${project.paths.templates.join(' or ')}, or set "templates" in cruddur.json`,
      code: 'ENV_NO_TEMPLATES',
    });
  }
  const rel = (p: string) => relative(project.root, p) || p;
  const rendered = await Promise.all(
    templates.map(async (template) => {
      const templateName = template.builtIn ? `(built-in) ${template.name}.env.ejs` : rel(template.path);
      const source = await readFile(template.path, 'utf8');
      return { template, templateName, ...(await renderTemplate({ source, templateName, env: project.env, root: project.root })) };
    }),
  );
  const missing = rendered.flatMap((r) => r.missing);
  if (missing.length > 0) {
    const count = new Set(missing.map((m) => m.name)).size;
    if (!options.allowMissing) {
      throw new CruddurError(`${count} variable${count > 1 ? 's are' : ' is'} not set: ${formatMissing(missing)}`, {
        suggestion: 'export them, add them to .env or .env.local, or pass --allow-missing to render them empty',
        code: 'ENV_MISSING_VARIABLES',
        details: { missing },
      });
    }
    logger.warn(`rendering ${count} unset variable${count > 1 ? 's' : ''} as empty: ${formatMissing(missing)}`);
  }

  const files: GeneratedFile[] = [];
  const toWrite: Array<{ path: string; content: string; mode: number }> = [];
  for (const r of rendered) {
    const base = {
      name: r.template.name,
      template: r.templateName,
      output: rel(r.template.output),
      builtInTemplate: r.template.builtIn,
      variables: r.variables,
    };
    if (options.stdout) {
      files.push({ ...base, status: 'printed', content: r.content });
      continue;
    }
    const current = await readIfExists(r.template.output);
    const same = current?.text === r.content;
    if (options.check) {
      files.push({ ...base, status: same ? 'unchanged' : 'would-change', ...(same ? {} : { diff: lineDiff(current?.text ?? '', r.content) }) });
      continue;
    }
    if (same && current) {
      if (current.mode !== ENV_FILE_MODE) await chmod(r.template.output, ENV_FILE_MODE);
      files.push({ ...base, status: 'unchanged' });
    } else {
      toWrite.push({ path: r.template.output, content: r.content, mode: ENV_FILE_MODE });
      files.push({ ...base, status: 'written' });
    }
  }
  await writeFilesAtomic(toWrite);
  return { files, missing };
}
