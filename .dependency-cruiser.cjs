// The architecture as rules (docs/architecture.md draws the same map). `npm test` runs them through
// test/architecture.test.ts; `npx depcruise src` shows the same report. A new violation fails the tests.
//
// Layers: commands (src/commands, the base commands, hooks) -> domains -> aws -> core.
// Domains may import each other only along the edges in DOMAIN_EDGES.

const DOMAINS = ['avatar', 'bootstrap', 'db', 'ddb', 'doctor', 'ecr', 'env', 'frontend', 'local', 'migrations', 'prepare', 'rds'];

/** Domain -> domains it may import, each with its reason (also in docs/architecture.md). */
const DOMAIN_EDGES = {
  // bootstrap runs the other domains' steps in order: that is all it is (`--prepare` runs prepare's task list).
  bootstrap: ['db', 'ecr', 'env', 'local', 'migrations', 'prepare', 'rds'],
  // db commands fall back to the project's local PostgreSQL, started on demand by the one launcher.
  db: ['local'],
  // ddb commands fall back to the local stack's DynamoDB, starting the stack on demand as db commands start PostgreSQL.
  ddb: ['local'],
  // doctor checks what the other domains would use, through their own code so it checks what they do: the
  // connection (db), the sync's settings ranking (frontend), templates (env), the local stack's keys, the RDS rule.
  // doctor's DynamoDB check reads the table definition the ddb commands load (ddb).
  doctor: ['db', 'ddb', 'env', 'frontend', 'local', 'rds'],
  // static-build reads the frontend env template's variable names (env) to refuse a build that ships without them.
  frontend: ['env'],
  // the local stack's thumbnail worker runs the same avatar transform as the Lambda.
  local: ['avatar'],
  // migrations run on src/db's connection and script runner; `db setup` (schema, seed, then migrate) lives here.
  migrations: ['db'],
  // prepare is the bootcamp's bin/prepare: db setup (migrations), Cognito ids (db), ddb schema-load and seed (ddb).
  prepare: ['db', 'ddb', 'migrations'],
};

/**
 * Known exceptions to "only src/aws imports the AWS SDK", each with its reason. They are the other engineers'
 * open work (issue 13's one-adapter-per-service item); remove a line when its file stops importing the SDK.
 */
const SDK_EXCEPTIONS = [
  // S3 uploads with lib-storage and multipart abort: to move into src/aws/s3-store.ts (avatar issue 16).
  '^src/avatar/upload\\.ts$',
  // ECR GetAuthorizationToken, EC2 security groups: to move into src/aws adapters (AWS issue 21).
  '^src/ecr/login\\.ts$',
  '^src/rds/security-groups\\.ts$',
  // Cognito ListUsers for update-cognito-user-ids: to move into an src/aws adapter (DB issue 14).
  '^src/db/cognito\\.ts$',
  // The thumbnail worker's S3 client inside the local S3 process: to use src/aws/s3-store.ts.
  '^src/local/thumbnail-worker\\.ts$',
];

/** Known exceptions to "only src/core/exec.ts starts processes", each with its reason. */
const EXEC_EXCEPTIONS = [
  // `frontend static-build` streams the build's output through execa directly: to call core/exec (sync issue 15).
  '^src/frontend/build\\.ts$',
];

const domainAlternation = DOMAINS.join('|');

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-folder-cycles',
      comment: 'Folders form a hierarchy: no folder reaches back to one that imports it.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-module-cycles',
      comment: 'No module imports itself through others (type-only imports included).',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-oclif-in-domains',
      comment: 'Only commands (src/commands, the base commands, hooks) know oclif; services take ports.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(commands/|hooks/|base-command\\.ts$|db-base-command\\.ts$|ddb-base-command\\.ts$)' },
      to: { path: '(^|/)node_modules/@oclif/' },
    },
    {
      name: 'only-aws-imports-the-sdk',
      comment: 'One adapter per AWS service in src/aws; see SDK_EXCEPTIONS for the files still to move.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/aws/', ...SDK_EXCEPTIONS] },
      to: { path: '(^|/)node_modules/@aws-sdk/' },
    },
    {
      name: 'sdk-loader-stays-in-aws',
      comment: 'src/aws/sdk.ts loads SDK packages with require, which the rule above cannot see: only src/aws (and the listed SDK exceptions) may use it.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/aws/', ...SDK_EXCEPTIONS] },
      to: { path: '^src/aws/sdk\\.ts$' },
    },
    {
      name: 'only-core-exec-starts-processes',
      comment: 'Programs and services start through src/core/exec.ts (execa, node:child_process).',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/core/exec\\.ts$', ...EXEC_EXCEPTIONS] },
      to: { path: ['^(node:)?child_process$', '(^|/)node_modules/execa/'] },
    },
    {
      name: 'every-folder-on-the-map',
      comment: 'A new folder under src/ joins the map: add it to DOMAINS (and its edges) here and to docs/architecture.md.',
      severity: 'error',
      from: { path: '^src/[^/]+/', pathNot: `^src/(commands|hooks|aws|core|${domainAlternation})/` },
      to: {},
    },
    {
      name: 'core-is-the-bottom',
      comment: 'src/core imports nothing else of cruddur.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^src/', pathNot: '^src/core/' },
    },
    {
      name: 'aws-only-on-core',
      comment: 'src/aws (adapters) imports only src/core.',
      severity: 'error',
      from: { path: '^src/aws/' },
      to: { path: '^src/', pathNot: '^src/(aws|core)/' },
    },
    {
      name: 'domains-not-commands',
      comment: 'Domains never import commands or the oclif base commands.',
      severity: 'error',
      from: { path: `^src/(${domainAlternation}|aws|core)/` },
      to: { path: '^src/(commands/|hooks/|base-command\\.ts$|db-base-command\\.ts$|ddb-base-command\\.ts$)' },
    },
    ...DOMAINS.map((domain) => ({
      name: `domain-map-${domain}`,
      comment: `src/${domain} imports only itself, aws, core${DOMAIN_EDGES[domain] ? ` and ${DOMAIN_EDGES[domain].join(', ')}` : ''} (DOMAIN_EDGES).`,
      severity: 'error',
      from: { path: `^src/${domain}/` },
      to: { path: `^src/(${domainAlternation})/`, pathNot: `^src/(${[domain, ...(DOMAIN_EDGES[domain] ?? [])].join('|')})/` },
    })),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
