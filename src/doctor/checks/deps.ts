import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ok, fail, skip, warn, type Check, type CheckOutcome } from '../types.js';

/** cruddur's own folder (dist/doctor/checks or src/doctor/checks -> three levels up). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

async function readDependencies(packageJson: string, dev: boolean): Promise<string[]> {
  const data = JSON.parse(await readFile(packageJson, 'utf8')) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  return Object.keys({ ...data.dependencies, ...(dev ? data.devDependencies : {}) }).sort();
}

/** Whether Node would find the package from `from`: node_modules of the folder or any parent (hoisting). */
export function findsPackage(from: string, name: string): boolean {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'node_modules', name, 'package.json'))) return true;
    const parent = dirname(dir);
    if (parent === dir) return false;
    dir = parent;
  }
}

const listOf = (names: string[]) => (names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', '));

/** Every runtime dependency of cruddur itself is installed. */
export async function cruddurDepsOutcome(packageRoot: string): Promise<CheckOutcome> {
  const names = await readDependencies(join(packageRoot, 'package.json'), false);
  const missing = names.filter((n) => !findsPackage(packageRoot, n));
  if (missing.length > 0) {
    return fail(`${missing.length} of cruddur's ${names.length} dependencies are missing: ${listOf(missing)}`, `reinstall cruddur (or run \`npm ci\` in ${packageRoot})`);
  }
  return ok(`all ${names.length} dependencies installed`);
}

/** The frontend's dependencies are installed (needed by `frontend static-build`). */
export async function frontendDepsOutcome(root: string, frontendDir: string): Promise<CheckOutcome> {
  const rel = relative(root, frontendDir) || '.';
  const packageJson = join(frontendDir, 'package.json');
  if (!existsSync(packageJson)) return skip(`no ${rel}/package.json`, 'set "frontend" in cruddur.json when the React app lives elsewhere');
  const names = await readDependencies(packageJson, true);
  if (names.length === 0) return ok(`${rel} declares no dependencies`);
  const missing = names.filter((n) => !findsPackage(frontendDir, n));
  if (missing.length === names.length) return warn(`${rel}/node_modules is not installed`, `run \`npm ci\` in ${rel} (or npm install)`);
  if (missing.length > 0) return warn(`${missing.length} of ${names.length} ${rel} dependencies are missing: ${listOf(missing)}`, `run \`npm ci\` in ${rel}`);
  return ok(`all ${names.length} ${rel} dependencies installed`);
}

export function cruddurDepsCheck(packageRoot = PACKAGE_ROOT): Check {
  return { id: 'cruddur-deps', title: 'cruddur dependencies', run: () => cruddurDepsOutcome(packageRoot) };
}

export function frontendDepsCheck(): Check {
  return { id: 'frontend-deps', title: 'frontend dependencies', run: (ctx) => frontendDepsOutcome(ctx.project.root, ctx.project.resolve(ctx.project.paths.frontend)) };
}
