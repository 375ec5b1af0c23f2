import { resolveAwsSettings } from '../aws/clients.js';
import type { ProjectConfig } from '../core/config.js';
import type { Logger } from '../core/output.js';

export interface DdbTarget {
  /** Real DynamoDB (--prod): the production guards apply. */
  prod: boolean;
  /** The variables the DynamoDB client is built from. */
  env: Readonly<Record<string, string>>;
  /** Where the calls go, for messages: the endpoint, or "DynamoDB in <region>". */
  display: string;
}

type Project = Pick<ProjectConfig, 'root' | 'env' | 'sourceOf'>;

/**
 * Which DynamoDB a `ddb` command talks to.
 *  - `--prod`: real DynamoDB with the project's credentials and region. Values that only the local stack
 *    supplied (.cruddur/local.env: its endpoint and placeholder keys) are left out; an endpoint the user set
 *    (AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL) is honoured.
 *  - otherwise: AWS_ENDPOINT_URL_DYNAMODB (or AWS_ENDPOINT_URL), which `local up` writes to
 *    .cruddur/local.env; when none is set the local stack is started, as `db` commands start PostgreSQL.
 *    Without --prod a command never reaches real DynamoDB.
 */
export async function resolveDdbTarget(project: Project, options: { prod?: boolean; region?: string }, logger: Logger): Promise<DdbTarget> {
  if (options.prod) {
    const env = Object.fromEntries(Object.entries(project.env).filter(([name]) => project.sourceOf(name) !== 'local stack'));
    const endpoint = env.AWS_ENDPOINT_URL_DYNAMODB || env.AWS_ENDPOINT_URL;
    const region = resolveAwsSettings({ env, region: options.region }).region;
    return { prod: true, env, display: endpoint ?? `DynamoDB in ${region}` };
  }
  const endpoint = project.env.AWS_ENDPOINT_URL_DYNAMODB || project.env.AWS_ENDPOINT_URL;
  if (endpoint) return { prod: false, env: project.env, display: endpoint };
  const { localUp } = await import('../local/stack.js');
  const up = await localUp(project.root, project.env, { foreground: false }, logger);
  if (up.status === 'started') logger.info(`Started the local stack for DynamoDB (pid ${up.state.pid}); \`cruddur local down\` stops it`);
  // The stack's values fill only what the project does not set.
  const env = { ...up.env, ...project.env };
  return { prod: false, env, display: env.AWS_ENDPOINT_URL_DYNAMODB ?? 'the local DynamoDB' };
}
