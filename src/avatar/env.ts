import type { ProjectConfig } from '../core/config.js';
import { CruddurError } from '../core/errors.js';

/** A bucket variable the avatar commands need (through the project's settings resolver), or an error saying where to set it. */
export function requireVariable(project: ProjectConfig, name: string, why: string): string {
  const value = optionalVariable(project, name);
  if (value) return value;
  throw new CruddurError(`${name} is not set (${why})`, {
    suggestion: `set ${name} in .env or the environment, or run \`cruddur local up\` for local buckets`,
    code: 'AVATAR_MISSING_VARIABLE',
  });
}

/** The variable's value through the project's settings resolver (trimmed), or undefined when unset or blank. */
export function optionalVariable(project: ProjectConfig, name: string): string | undefined {
  return project.setting({ variables: [name] })?.value.trim();
}
