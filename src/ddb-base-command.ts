import { Flags } from '@oclif/core';
import { AwsClients, resolveAwsSettings } from './aws/clients.js';
import type { DynamoStore } from './aws/dynamodb.js';
import { BaseCommand, type BaseFlags } from './base-command.js';
import { CruddurError } from './core/errors.js';
import { terminalConfirm } from './core/prompt.js';
import type { DdbTarget } from './ddb/target.js';

/** Flags every `ddb` command shares: which DynamoDB. */
export const ddbTargetFlags = {
  prod: Flags.boolean({ description: 'Use real DynamoDB (AWS credentials and region) instead of the local stack.' }),
};

export type DdbFlags = BaseFlags & { prod?: boolean; yes?: boolean };

/** Base for `ddb` commands: resolves the DynamoDB (the local stack's by default) and guards production. */
export abstract class DdbCommand extends BaseCommand {
  private ddbClients: AwsClients | undefined;

  protected async dynamo(flags: DdbFlags): Promise<{ store: DynamoStore; target: DdbTarget }> {
    const [{ resolveDdbTarget }, { createDynamoStore }] = await Promise.all([import('./ddb/target.js'), import('./aws/dynamodb.js')]);
    const target = await resolveDdbTarget(this.project(flags), { prod: flags.prod, region: flags.region }, this.logger(flags));
    this.logger(flags).debug(`dynamodb: ${target.display}`);
    this.ddbClients ??= new AwsClients(resolveAwsSettings({ env: target.env, region: flags.region, profile: flags.profile }), this.logger(flags));
    return { store: createDynamoStore(await this.ddbClients.dynamodb()), target };
  }

  /** With --prod, writes ask the user to type the table name (refused without a TTY unless --yes). */
  protected async confirmProd(flags: DdbFlags, target: DdbTarget, action: string, table: string): Promise<void> {
    if (!target.prod) return;
    const confirm = terminalConfirm({ assumeYes: flags.yes === true, yesFlag: '--yes' });
    const ok = await confirm(`${action} on PRODUCTION DynamoDB table "${table}" (${target.display})`, table);
    if (!ok) throw new CruddurError('Cancelled: the table name did not match', { suggestion: `type "${table}" exactly to confirm`, code: 'CANCELLED' });
  }

  protected override async finally(error: Error | undefined): Promise<void> {
    this.ddbClients?.destroy();
    await super.finally(error);
  }
}
