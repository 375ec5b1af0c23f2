import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createSts } from './sts.js';

const sts = mockClient(STSClient);
afterEach(() => sts.reset());
afterAll(() => sts.restore());
const client = () => createSts(new STSClient({ region: 'us-east-1' }));

describe('STS adapter', () => {
  it('returns the account and ARN of GetCallerIdentity', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/andrew', UserId: 'AIDAEXAMPLE' });
    await expect(client().getCallerIdentity()).resolves.toEqual({ account: '123456789012', arn: 'arn:aws:iam::123456789012:user/andrew' });
    expect(sts.commandCalls(GetCallerIdentityCommand).map((c) => c.args[0].input)).toEqual([{}]);
  });

  it.each([
    [{ Arn: 'arn:aws:iam::123456789012:user/andrew' }, 'Account'],
    [{ Account: '123456789012' }, 'Arn'],
  ])('an answer without a field is an error (%j)', async (answer, missing) => {
    sts.on(GetCallerIdentityCommand).resolves(answer);
    await expect(client().getCallerIdentity()).rejects.toMatchObject({ code: 'AWS_BAD_RESPONSE', message: `Could not get the AWS identity: STS answered without ${missing}` });
  });

  it('maps SDK errors to a CruddurError with a fix', async () => {
    sts.on(GetCallerIdentityCommand).rejects(Object.assign(new Error('The security token included in the request is invalid.'), { name: 'InvalidClientTokenId', $metadata: { httpStatusCode: 403 } }));
    await expect(client().getCallerIdentity()).rejects.toMatchObject({ code: 'AWS_BAD_CREDENTIALS' });
  });
});
