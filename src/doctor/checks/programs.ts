import { hasProgram } from '../../core/exec.js';
import { ok, warn, type Check } from '../types.js';

export interface ProgramSpec {
  name: string;
  /** Which commands need it. */
  neededBy: string;
  install: string;
}

export const PROGRAMS: ProgramSpec[] = [
  { name: 'psql', neededBy: '`db connect`', install: 'install the PostgreSQL client (apt-get install postgresql-client, brew install libpq)' },
  { name: 'docker', neededBy: '`ecr login` and container builds', install: 'install Docker (https://docs.docker.com/get-docker/)' },
];

/** A program on PATH; missing is a warning, since only some commands need it. */
export function programCheck(spec: ProgramSpec, env: Readonly<Record<string, string | undefined>> = process.env): Check {
  return {
    id: `program-${spec.name}`,
    title: spec.name,
    run: async () =>
      (await hasProgram(spec.name, env)) ? ok(`${spec.name} found on PATH`) : warn(`${spec.name} is not on PATH (needed by ${spec.neededBy})`, spec.install),
  };
}
