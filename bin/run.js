#!/usr/bin/env node
import { readFileSync } from 'node:fs';

// `cruddur --version` and the root `cruddur --help` are answered from a cache that `npm run build`
// renders with oclif itself (scripts/cache-help.js), so they cost about a bare `node` start. Anything
// the cache cannot answer exactly (another width, colour settings, other arguments) goes to oclif.
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '--help') && !process.env.CRUDDUR_NO_FAST_PATH) {
  let cache;
  try {
    cache = JSON.parse(readFileSync(new URL('../dist/help-cache.json', import.meta.url), 'utf8'));
  } catch {
    cache = undefined;
  }
  if (cache && argv[0] === '--version') {
    process.stdout.write(`${cache.userAgentPrefix} node-${process.version}\n`);
    process.exit(0);
  }
  if (cache && !process.env.OCLIF_COLUMNS && !process.env.NO_COLOR) {
    const tty = process.stdout.isTTY;
    const help = tty
      ? process.stdout.columns === cache.width && process.env.TERM !== 'dumb' && !process.env.FORCE_COLOR ? cache.color : undefined
      : !process.env.FORCE_COLOR ? cache.plain : undefined;
    if (help !== undefined) {
      process.stdout.write(help.replaceAll('%NODE_VERSION%', process.version));
      process.exit(0);
    }
  }
}

// The SDK warns about Node 20 on every client; `cruddur doctor` reports the Node version instead.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// Loading @oclif/core checks the Node version against oclif's own engines (>=18) with the whole semver package:
// ~40 ms of every command's ~400 ms. cruddur's engines (>=20.9) are npm's to check, and doctor reports the version.
process.env.OCLIF_DISABLE_ENGINE_WARNING ??= 'true';
const { execute } = await import('@oclif/core');
await execute({ dir: import.meta.url });
