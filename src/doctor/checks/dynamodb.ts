import { fail, ok, skip, warn, type Check } from '../types.js';

/**
 * The DynamoDB endpoint answers and the definition's table (cruddur-messages by default) is ACTIVE.
 * Skipped without AWS_ENDPOINT_URL_DYNAMODB (or AWS_ENDPOINT_URL): `cruddur local up` sets it.
 */
export const dynamodbCheck: Check = {
  id: 'dynamodb',
  title: 'DynamoDB table',
  async run(ctx) {
    const endpoint = ctx.env.AWS_ENDPOINT_URL_DYNAMODB || ctx.env.AWS_ENDPOINT_URL;
    if (!endpoint) return skip('AWS_ENDPOINT_URL_DYNAMODB is not set', 'run `cruddur local up` (the local DynamoDB), or set AWS_ENDPOINT_URL_DYNAMODB');
    const [{ createDynamoStore }, { loadTableDefinition }] = await Promise.all([import('../../aws/dynamodb.js'), import('../../ddb/definition.js')]);
    const table = (await loadTableDefinition(ctx.project)).definition.TableName as string;
    const store = createDynamoStore(await ctx.aws.dynamodb());
    try {
      const info = await store.describeTable(table);
      if (!info) return warn(`${table} does not exist at ${endpoint}`, 'run `cruddur ddb schema-load` (or `cruddur prepare`)');
      return info.status === 'ACTIVE' ? ok(`${table} ACTIVE at ${endpoint}`) : warn(`${table} is ${info.status} at ${endpoint}`, 'wait a moment and run doctor again');
    } catch (error) {
      return fail(`${endpoint} does not answer: ${(error as Error).message}`, 'start the local stack with `cruddur local up`, or fix AWS_ENDPOINT_URL_DYNAMODB');
    }
  },
};
