import type { Hook } from '@oclif/core';
import { closest } from '../core/suggest.js';

/**
 * An unknown command is a usage mistake: one `Error:` line, a `Try:` line with the closest command,
 * exit 2 (plugin-not-found exits 127 and only suggests interactively, which CI never is).
 */
const hook: Hook.CommandNotFound = async function (options) {
  // The bootcamp's `./bin/db/connect prod`: a bare `prod`/`prd` after a db command is its --prod (oclif, with
  // spaces between topics, reads it as part of the command name).
  const parts = options.id.split(':');
  const selector = parts.at(-1);
  const command = parts.slice(0, -1).join(':');
  if (parts[0] === 'db' && (selector === 'prod' || selector === 'prd') && options.config.findCommand(command)) {
    return options.config.runCommand(command, ['--prod', ...(options.argv ?? [])]);
  }
  const typed = options.id.replaceAll(':', ' ');
  const ids = options.config.commandIDs.filter((id) => !options.config.findCommand(id)?.hidden).map((id) => id.replaceAll(':', ' '));
  const best = closest(typed, ids);
  const message = `"${typed}" is not a cruddur command`;
  const suggestion = best ? `cruddur ${best} (or cruddur --help for every command)` : 'cruddur --help for every command';
  if (options.argv?.includes('--json')) {
    process.stdout.write(`${JSON.stringify({ error: { code: 'USAGE', message, suggestion } }, null, 2)}\n`);
  } else {
    process.stderr.write(`Error: ${message}\nTry: ${suggestion}\n`);
  }
  process.exit(2);
};

export default hook;
