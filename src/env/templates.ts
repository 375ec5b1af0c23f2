import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProjectConfig } from '../core/config.js';

export interface EnvTemplate {
  /** `backend-flask` for `backend-flask.env.erb`. */
  name: string;
  /** Absolute path of the template. */
  path: string;
  /** Where the rendered file goes. */
  output: string;
  builtIn: boolean;
}

const TEMPLATE_FILE = /^(.+)\.env\.(erb|ejs)$/;

/** The package's own templates, used when the repository has none. */
export const BUILT_IN_TEMPLATES_DIR = fileURLToPath(new URL('../../templates/env/', import.meta.url));

function scan(dir: string): Array<{ name: string; path: string }> {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((file) => ({ file, match: TEMPLATE_FILE.exec(file) }))
    .filter((e): e is { file: string; match: RegExpExecArray } => e.match !== null)
    .map(({ file, match }) => ({ name: match[1] ?? file, path: join(dir, file) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Templates of the repository (first folder listed in `templates` wins per name), else the built-in ones. */
export function discoverTemplates(project: ProjectConfig): EnvTemplate[] {
  const found = new Map<string, { name: string; path: string; builtIn: boolean }>();
  for (const dir of project.paths.templates) {
    for (const t of scan(project.resolve(dir))) if (!found.has(t.name)) found.set(t.name, { ...t, builtIn: false });
  }
  if (found.size === 0) for (const t of scan(BUILT_IN_TEMPLATES_DIR)) found.set(t.name, { ...t, builtIn: true });
  const outDir = project.resolve(project.paths.envOutDir);
  return [...found.values()].map((t) => ({ ...t, output: join(outDir, `${t.name}.env`) }));
}
