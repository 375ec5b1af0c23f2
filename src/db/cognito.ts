import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { loadSdk } from '../aws/sdk.js';
import { CruddurError } from '../core/errors.js';
import type { Logger } from '../core/output.js';
import { withClient } from './client.js';
import type { DbTarget } from './connection.js';

/** What we need of a Cognito user. */
export interface CognitoUser {
  sub: string;
  username: string;
  preferredUsername: string | undefined;
  email: string | undefined;
}

/** A row of public.users. */
export interface UserRow {
  uuid: string;
  handle: string;
  email: string | null;
  cognitoUserId: string | null;
}

export interface CognitoUpdate {
  uuid: string;
  handle: string;
  from: string | null;
  to: string;
  by: 'handle' | 'email';
}

export interface CognitoPlan {
  updates: CognitoUpdate[];
  /** Matched and already holding the right id. */
  unchanged: string[];
  /** Database users no Cognito user matches (handles). */
  unmatched: string[];
  /** Cognito users matching no database row (usernames). */
  unknownInCognito: string[];
}

const norm = (s: string | null | undefined) => (s ?? '').trim().toLowerCase();

/**
 * Pairs database users with Cognito users (pure): by handle = preferred_username (or the Cognito username
 * when it has none), else by email; case-insensitive. Each Cognito user is used once.
 */
export function planCognitoUpdates(rows: UserRow[], users: CognitoUser[]): CognitoPlan {
  const byHandle = new Map<string, CognitoUser>();
  const byEmail = new Map<string, CognitoUser>();
  for (const u of users) {
    const handle = norm(u.preferredUsername ?? u.username);
    if (handle && !byHandle.has(handle)) byHandle.set(handle, u);
    if (u.email && !byEmail.has(norm(u.email))) byEmail.set(norm(u.email), u);
  }
  const used = new Set<string>();
  const plan: CognitoPlan = { updates: [], unchanged: [], unmatched: [], unknownInCognito: [] };
  for (const row of rows) {
    let by: 'handle' | 'email' = 'handle';
    let match = byHandle.get(norm(row.handle));
    if (!match || used.has(match.sub)) {
      match = row.email ? byEmail.get(norm(row.email)) : undefined;
      by = 'email';
    }
    if (!match || used.has(match.sub)) {
      plan.unmatched.push(row.handle);
      continue;
    }
    used.add(match.sub);
    if (row.cognitoUserId === match.sub) plan.unchanged.push(row.handle);
    else plan.updates.push({ uuid: row.uuid, handle: row.handle, from: row.cognitoUserId, to: match.sub, by });
  }
  plan.unknownInCognito = users.filter((u) => !used.has(u.sub)).map((u) => u.username);
  return plan;
}

/** Every user of the pool (ListUsers, all pages). */
export async function listCognitoUsers(client: CognitoIdentityProviderClient, userPoolId: string): Promise<CognitoUser[]> {
  const { ListUsersCommand } = loadSdk<typeof import('@aws-sdk/client-cognito-identity-provider')>('@aws-sdk/client-cognito-identity-provider');
  const out: CognitoUser[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListUsersCommand({ UserPoolId: userPoolId, Limit: 60, PaginationToken: token }));
    for (const user of page.Users ?? []) {
      const attr = (name: string) => user.Attributes?.find((a) => a.Name === name)?.Value;
      const sub = attr('sub');
      if (!sub) continue;
      out.push({ sub, username: user.Username ?? sub, preferredUsername: attr('preferred_username'), email: attr('email') });
    }
    token = page.PaginationToken;
  } while (token);
  return out;
}

/**
 * The pool id: --user-pool-id, else AWS_COGNITO_USER_POOL_ID, else REACT_APP_AWS_USER_POOLS_ID (the only name the
 * bootcamp's frontend .env used).
 */
export function requirePoolId(flag: string | undefined, env: Readonly<Record<string, string | undefined>> = {}): string {
  const userPoolId = flag || env.AWS_COGNITO_USER_POOL_ID || env.REACT_APP_AWS_USER_POOLS_ID;
  if (userPoolId) return userPoolId;
  throw new CruddurError('AWS_COGNITO_USER_POOL_ID is not set (nor REACT_APP_AWS_USER_POOLS_ID)', {
    suggestion: 'set AWS_COGNITO_USER_POOL_ID (e.g. us-east-1_AbCdEf123) in the environment or .env, or pass --user-pool-id',
    code: 'COGNITO_NO_POOL',
  });
}

export interface CognitoResult {
  target: string;
  userPoolId: string;
  dryRun: boolean;
  cognitoUsers: number;
  matched: number;
  updated: number;
  unchanged: number;
  unmatched: number;
  updates: CognitoUpdate[];
  unmatchedHandles: string[];
  unknownInCognito: string[];
}

/** `db update-cognito-user-ids`: sets users.cognito_user_id from the pool's `sub`s, in one transaction. */
export async function updateCognitoUserIds(
  target: DbTarget,
  userPoolId: string | undefined,
  listUsers: (poolId: string) => Promise<CognitoUser[]>,
  options: { dryRun?: boolean },
  logger: Logger,
): Promise<CognitoResult> {
  const poolId = requirePoolId(userPoolId);
  const users = await listUsers(poolId);
  logger.debug(`${users.length} Cognito user(s) in ${poolId}`);
  return withClient(target, async (client) => {
    const rows = await client.query<{ uuid: string; handle: string; email: string | null; cognito_user_id: string | null }>(
      'SELECT uuid::text AS uuid, handle, email, cognito_user_id FROM public.users ORDER BY handle',
    );
    const plan = planCognitoUpdates(
      rows.rows.map((r) => ({ uuid: r.uuid, handle: r.handle, email: r.email, cognitoUserId: r.cognito_user_id })),
      users,
    );
    if (!options.dryRun && plan.updates.length > 0) {
      await client.query('BEGIN');
      try {
        for (const u of plan.updates) await client.query('UPDATE public.users SET cognito_user_id = $1 WHERE uuid = $2::uuid', [u.to, u.uuid]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
    }
    return {
      target: target.display,
      userPoolId: poolId,
      dryRun: options.dryRun === true,
      cognitoUsers: users.length,
      matched: plan.updates.length + plan.unchanged.length,
      updated: options.dryRun ? 0 : plan.updates.length,
      unchanged: plan.unchanged.length,
      unmatched: plan.unmatched.length,
      updates: plan.updates,
      unmatchedHandles: plan.unmatched,
      unknownInCognito: plan.unknownInCognito,
    };
  });
}
