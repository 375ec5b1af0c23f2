import { Flags } from '@oclif/core';
import { BaseCommand, type BaseFlags } from './base-command.js';
import { CruddurError } from './core/errors.js';
import { terminalConfirm } from './core/prompt.js';
import type { DbTarget } from './db/connection.js';

/** Flags every `db` command shares: which database. */
export const connectionFlags = {
  prod: Flags.boolean({ description: 'Use PROD_CONNECTION_URL (or PRD_CONNECTION_URL) instead of CONNECTION_URL; a bare `prod` or `prd` first argument means the same.', exclusive: ['url'] }),
  url: Flags.string({ description: 'Connection URL to use instead of CONNECTION_URL (postgresql://user:pass@host:5432/db).' }),
};

/** For destructive commands: skip the production confirmation. */
export const yesFlag = {
  yes: Flags.boolean({ char: 'y', description: 'Do not ask for confirmation with --prod (needed without a terminal).' }),
};

/** For commands that load SQL files: psql's -1. */
export const singleTransactionFlag = {
  'single-transaction': Flags.boolean({
    description: "Run each SQL file as one transaction, like psql -1: all or nothing (fails where PostgreSQL refuses a statement in a transaction block).",
  }),
};

export type DbFlags = BaseFlags & { prod?: boolean; url?: string; yes?: boolean };

/** Base for `db` commands: resolves the target database (the local embedded one by default) and guards production. */
export abstract class DbCommand extends BaseCommand {
  /** The bootcamp's scripts took `prod`/`prd` as first argument (`./bin/db/connect prod`): it means --prod on every db command. */
  override async init(): Promise<void> {
    this.argv = prodSelector(this.argv);
    await super.init();
  }

  protected async target(flags: DbFlags): Promise<DbTarget> {
    const { resolveDbTarget } = await import('./db/client.js');
    const target = await resolveDbTarget(this.project(flags), { prod: flags.prod, url: flags.url }, this.logger(flags));
    this.logger(flags).debug(`database: ${target.display} (from ${target.source})`);
    return target;
  }

  /** With --prod, destructive work asks the user to type the database name (refused without a TTY unless --yes). */
  protected async confirmDestructive(flags: DbFlags, target: DbTarget, action: string): Promise<void> {
    if (!target.prod) return;
    const confirm = terminalConfirm({ assumeYes: flags.yes === true, yesFlag: '--yes' });
    const ok = await confirm(`${action} on PRODUCTION database "${target.database}" (${target.host})`, target.database);
    if (!ok) throw new CruddurError('Cancelled: the database name did not match', { suggestion: `type "${target.database}" exactly to confirm`, code: 'CANCELLED' });
  }
}

/** `prod`/`prd` as the first argument becomes `--prod` (pure). Anything after `--` is left alone. */
export function prodSelector(argv: string[]): string[] {
  const [first, ...rest] = argv;
  return first === 'prod' || first === 'prd' ? ['--prod', ...rest] : argv;
}
