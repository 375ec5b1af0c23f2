import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import type { ProjectConfig } from '../../core/config.js';
import { renderTemplate } from '../../env/render.js';
import { discoverTemplates, type EnvTemplate } from '../../env/templates.js';
import { fail, ok, warn, type Check, type CheckOutcome } from '../types.js';

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Renders the template in memory (nothing is written): every unset variable is a failure naming the
 * variable and template line; a generated file that is missing or stale is a warning.
 */
export async function templateOutcome(project: ProjectConfig, template: EnvTemplate): Promise<CheckOutcome> {
  const rel = (p: string) => relative(project.root, p) || p;
  const templateName = template.builtIn ? `(built-in) ${template.name}.env.ejs` : rel(template.path);
  const source = await readFile(template.path, 'utf8');
  const rendered = await renderTemplate({ source, templateName, env: project.env, root: project.root });
  if (rendered.missing.length > 0) {
    const names = [...new Set(rendered.missing.map((m) => m.name))];
    const where = rendered.missing.map((m) => `${m.name}${m.lines.length > 0 ? `:${m.lines.join(',')}` : ''}`).join(', ');
    return fail(
      `${names.length} variable${names.length > 1 ? 's' : ''} not set in ${templateName} (name:line): ${where}`,
      `set ${names.length > 1 ? 'them' : names[0]} (export, .env or .env.local), then run \`cruddur env generate ${template.name}\``,
    );
  }
  const current = await readText(template.output);
  if (current === undefined) return warn(`renders; ${rel(template.output)} not generated yet`, `run \`cruddur env generate ${template.name}\``);
  if (current !== rendered.content) return warn(`renders; ${rel(template.output)} is out of date`, `run \`cruddur env generate ${template.name}\``);
  return ok(`renders; ${rel(template.output)} up to date`);
}

/** One check per env template of the project (or the built-in ones). */
export function templateChecks(project: ProjectConfig): Check[] {
  return discoverTemplates(project).map((template) => ({
    id: `template-${template.name}`,
    title: `env template ${template.name}`,
    run: () => templateOutcome(project, template),
  }));
}
