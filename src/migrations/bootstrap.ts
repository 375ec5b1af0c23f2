import type { ProjectConfig } from '../core/config.js';
import type { Logger } from '../core/output.js';
import type { Task } from '../core/tasks.js';

/** The part of bootstrap's context the db step needs (main's BootstrapContext is a superset). */
export interface DbBootstrapContext {
  project: ProjectConfig;
  logger: Logger;
  options: { db: boolean; skip: readonly string[] };
}

/**
 * The `bootstrap --db` step: `db setup` on CONNECTION_URL, or on the project's embedded PostgreSQL when it
 * is unset. Skipped without --db or with --skip db.
 */
export function dbBootstrapTask(): Task<DbBootstrapContext> {
  return {
    id: 'db',
    title: 'Set up the database (drop, create, schema, seed, migrate)',
    skip: (ctx) => (ctx.options.skip.includes('db') ? '--skip db' : ctx.options.db ? undefined : 'pass --db to set up the database'),
    async run(ctx) {
      const { setupConfiguredDatabase } = await import('./setup.js');
      const result = await setupConfiguredDatabase(ctx.project, ctx.logger, { silent: true });
      return `${result.database}: ${result.seededRows} seeded rows, ${result.migrations.applied.length} migration(s) applied`;
    },
  };
}
