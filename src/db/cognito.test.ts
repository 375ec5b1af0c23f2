import { CognitoIdentityProviderClient, ListUsersCommand } from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../core/output.js';
import { startTestPostgres, type TestPostgres } from '../../test/support/postgres.js';
import { listCognitoUsers, planCognitoUpdates, updateCognitoUserIds, type CognitoUser } from './cognito.js';
import { parseTarget } from './connection.js';

const cu = (sub: string, username: string, preferredUsername?: string, email?: string): CognitoUser => ({ sub, username, preferredUsername, email });

describe('planCognitoUpdates', () => {
  it.each([
    ['by preferred_username', [cu('s1', 'x', 'Andrew')], { updates: [['andrew', 's1', 'handle']], unchanged: [], unmatched: ['bob'], unknown: [] }],
    ['by username when no preferred_username', [cu('s1', 'andrew')], { updates: [['andrew', 's1', 'handle']], unchanged: [], unmatched: ['bob'], unknown: [] }],
    ['by email', [cu('s2', 'zzz', 'other', 'BOB@example.com')], { updates: [['bob', 's2', 'email']], unchanged: [], unmatched: ['andrew'], unknown: [] }],
    ['unchanged', [cu('MOCK-A', 'andrew')], { updates: [], unchanged: ['andrew'], unmatched: ['bob'], unknown: [] }],
    ['unknown in Cognito', [cu('s9', 'carol', 'carol', 'c@example.com')], { updates: [], unchanged: [], unmatched: ['andrew', 'bob'], unknown: ['carol'] }],
  ])('%s', (_name, users, expected) => {
    const rows = [
      { uuid: 'u1', handle: 'andrew', email: 'andrew@example.com', cognitoUserId: 'MOCK-A' },
      { uuid: 'u2', handle: 'bob', email: 'bob@example.com', cognitoUserId: 'MOCK' },
    ];
    const plan = planCognitoUpdates(rows, users);
    expect(plan.updates.map((u) => [u.handle, u.to, u.by])).toEqual(expected.updates);
    expect(plan.unchanged).toEqual(expected.unchanged);
    expect(plan.unmatched).toEqual(expected.unmatched);
    expect(plan.unknownInCognito).toEqual(expected.unknown);
  });
});

describe('updateCognitoUserIds (real PostgreSQL, mocked Cognito)', () => {
  let server: TestPostgres;
  const cognito = mockClient(CognitoIdentityProviderClient);
  beforeAll(async () => {
    server = await startTestPostgres();
  });
  afterAll(async () => {
    cognito.restore();
    await server.stop();
  });

  it('pages through ListUsers and updates matched users in the database', async () => {
    const attrs = (sub: string, handle: string, email: string) => [
      { Name: 'sub', Value: sub },
      { Name: 'preferred_username', Value: handle },
      { Name: 'email', Value: email },
    ];
    cognito.reset();
    cognito
      .on(ListUsersCommand, { UserPoolId: 'us-east-1_Pool', Limit: 60, PaginationToken: undefined })
      .resolves({ Users: [{ Username: 'one', Attributes: attrs('sub-1', 'demoone', 'one@x.test') }], PaginationToken: 'page2' })
      .on(ListUsersCommand, { UserPoolId: 'us-east-1_Pool', Limit: 60, PaginationToken: 'page2' })
      .resolves({ Users: [{ Username: 'two', Attributes: attrs('sub-2', 'renamed', 'TWO@x.test') }] });

    const { name, url } = await server.createDatabase('cog');
    await server.query(name, 'CREATE TABLE users (uuid uuid DEFAULT gen_random_uuid() PRIMARY KEY, handle text, email text, cognito_user_id text)');
    await server.query(name, "INSERT INTO users (handle, email, cognito_user_id) VALUES ('demoone', 'one@x.test', 'MOCK'), ('demotwo', 'two@x.test', 'MOCK'), ('nobody', 'n@x.test', 'MOCK')");

    const client = new CognitoIdentityProviderClient({ region: 'us-east-1', credentials: { accessKeyId: 'AKIAFAKE', secretAccessKey: 'fake' } });
    const list = (pool: string) => listCognitoUsers(client, pool);
    const target = parseTarget(url, 'CONNECTION_URL');

    const dry = await updateCognitoUserIds(target, 'us-east-1_Pool', list, { dryRun: true }, silentLogger);
    expect(dry).toMatchObject({ cognitoUsers: 2, matched: 2, updated: 0, unchanged: 0, unmatched: 1, unmatchedHandles: ['nobody'] });
    expect(await server.query(name, "SELECT count(*)::int AS n FROM users WHERE cognito_user_id = 'MOCK'")).toEqual([{ n: 3 }]);

    const real = await updateCognitoUserIds(target, 'us-east-1_Pool', list, {}, silentLogger);
    expect(real).toMatchObject({ matched: 2, updated: 2, unmatched: 1 });
    expect(await server.query(name, 'SELECT handle, cognito_user_id FROM users ORDER BY handle')).toEqual([
      { handle: 'demoone', cognito_user_id: 'sub-1' },
      { handle: 'demotwo', cognito_user_id: 'sub-2' },
      { handle: 'nobody', cognito_user_id: 'MOCK' },
    ]);
    expect(cognito.commandCalls(ListUsersCommand).map((c) => c.args[0].input)).toEqual([
      { UserPoolId: 'us-east-1_Pool', Limit: 60, PaginationToken: undefined },
      { UserPoolId: 'us-east-1_Pool', Limit: 60, PaginationToken: 'page2' },
      { UserPoolId: 'us-east-1_Pool', Limit: 60, PaginationToken: undefined },
      { UserPoolId: 'us-east-1_Pool', Limit: 60, PaginationToken: 'page2' },
    ]);

    const again = await updateCognitoUserIds(target, 'us-east-1_Pool', list, {}, silentLogger);
    expect(again).toMatchObject({ matched: 2, updated: 0, unchanged: 2 });
  });

  it('needs a pool id', async () => {
    await expect(updateCognitoUserIds(parseTarget(server.url(), 'CONNECTION_URL'), undefined, async () => [], {}, silentLogger)).rejects.toThrow(/AWS_COGNITO_USER_POOL_ID is not set/);
  });
});
