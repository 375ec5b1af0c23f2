import { Flags } from '@oclif/core';
import { DbCommand, connectionFlags } from '../../db-base-command.js';
import type { CognitoResult } from '../../db/cognito.js';

export default class DbUpdateCognitoUserIds extends DbCommand {
  static override summary = "Set users.cognito_user_id from the Cognito user pool.";
  static override description = `Lists every user of the pool (AWS_COGNITO_USER_POOL_ID, all pages) and sets public.users.cognito_user_id to the
user's sub, matching handle = preferred_username, else email (case-insensitive). Reports matched, unchanged and
unmatched users; --dry-run shows the changes without writing.`;

  static override examples = [
    { description: 'After signing up in the app', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Preview against production', command: '<%= config.bin %> <%= command.id %> --prod --dry-run' },
  ];

  static override flags = {
    ...connectionFlags,
    'user-pool-id': Flags.string({ description: 'Cognito user pool id (default: AWS_COGNITO_USER_POOL_ID, else REACT_APP_AWS_USER_POOLS_ID).' }),
    'dry-run': Flags.boolean({ description: 'Show what would change; write nothing.' }),
  };

  async run(): Promise<CognitoResult> {
    const { flags } = await this.parse(DbUpdateCognitoUserIds);
    const project = this.project(flags);
    const { updateCognitoUserIds, listCognitoUsers, requirePoolId } = await import('../../db/cognito.js');
    // Checked before the database is resolved, so a missing setting never starts the local server.
    const poolId = requirePoolId(flags['user-pool-id'], project.env);
    const target = await this.target(flags);
    const { fromAwsError } = await import('../../aws/errors.js');
    const aws = this.aws(flags);
    const listUsers = async (id: string) => {
      try {
        return await listCognitoUsers(await aws.cognito(), id);
      } catch (error) {
        throw fromAwsError(error, `list the users of Cognito pool ${id}`);
      }
    };
    const result = await updateCognitoUserIds(target, poolId, listUsers, { dryRun: flags['dry-run'] }, this.logger(flags));
    for (const u of result.updates) this.log(`${result.dryRun ? 'would set' : 'set'} ${u.handle}: ${u.from ?? '(none)'} -> ${u.to} (by ${u.by})`);
    for (const handle of result.unmatchedHandles) this.log(`no Cognito user for ${handle}`);
    this.log(`${result.cognitoUsers} Cognito user(s): ${result.matched} matched (${result.dryRun ? `${result.updates.length} would change` : `${result.updated} updated`}, ${result.unchanged} unchanged), ${result.unmatched} database user(s) unmatched`);
    return result;
  }
}
