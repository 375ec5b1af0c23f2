import type { STSClient } from '@aws-sdk/client-sts';
import { CruddurError } from '../core/errors.js';
import { fromAwsError } from './errors.js';
import { loadSdk } from './sdk.js';

/** Who the AWS calls run as (STS GetCallerIdentity). */
export interface CallerIdentity {
  /** The 12-digit account id. */
  account: string;
  /** e.g. `arn:aws:iam::123456789012:user/andrew` or an assumed-role ARN. */
  arn: string;
}

/** The one STS adapter. Responses are checked here: an answer without Account or Arn is an error. */
export interface Sts {
  getCallerIdentity(options?: { signal?: AbortSignal }): Promise<CallerIdentity>;
}

export function createSts(client: STSClient): Sts {
  return {
    async getCallerIdentity(options = {}) {
      const { GetCallerIdentityCommand } = loadSdk<typeof import('@aws-sdk/client-sts')>('@aws-sdk/client-sts');
      const what = 'get the AWS identity';
      let answer;
      try {
        answer = await client.send(new GetCallerIdentityCommand({}), { abortSignal: options.signal });
      } catch (error) {
        throw fromAwsError(error, what);
      }
      if (!answer.Account || !answer.Arn) {
        throw new CruddurError(`Could not ${what}: STS answered without ${answer.Account ? 'Arn' : 'Account'}`, {
          suggestion: 'check AWS_ENDPOINT_URL_STS (an emulator or proxy may be answering), then run again',
          code: 'AWS_BAD_RESPONSE',
        });
      }
      return { account: answer.Account, arn: answer.Arn };
    },
  };
}
