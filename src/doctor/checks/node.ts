import { ok, fail, type Check, type CheckOutcome } from '../types.js';

export const MIN_NODE = { major: 20, minor: 9 };

/** Node 20.9 or newer (package.json "engines"). */
export function nodeVersionOutcome(version: string): CheckOutcome {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  const supported = major > MIN_NODE.major || (major === MIN_NODE.major && minor >= MIN_NODE.minor);
  return supported
    ? ok(`Node.js ${version}`)
    : fail(`Node.js ${version} is older than ${MIN_NODE.major}.${MIN_NODE.minor}`, `install Node.js 20 LTS or newer (e.g. \`nvm install 20\`)`);
}

export function nodeCheck(version: string = process.versions.node): Check {
  return { id: 'node', title: 'Node.js version', run: async () => nodeVersionOutcome(version) };
}
