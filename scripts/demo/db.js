// `npm run demo` step: `cruddur db setup` in the demo app (schema, seed, the .py and the .sql migration) on
// the embedded default, then print the seeded rows. demo.env's CONNECTION_URL points at a server that is not
// running, so it is blanked: with no URL cruddur starts the project's embedded PostgreSQL on demand under
// <appDir>/.cruddur/postgres. A server this step started is stopped again so the demo leaves nothing running.
export default async function step({ cli, appDir, log }) {
  const { localPostgresStatus, stopLocalPostgres } = await import('../../dist/local/pg-instance.js');
  const wasRunning = localPostgresStatus(appDir).running;
  const embedded = { CONNECTION_URL: '' };
  try {
    const result = await cli(['db', 'setup', '--json'], embedded);
    if (result.exitCode !== 0) throw new Error(`cruddur db setup failed (exit ${result.exitCode})`);
    const setup = JSON.parse(result.stdout);
    const tables = setup.tables.map((t) => `${t.table}=${t.rows}`).join(', ');
    log(`  ${setup.seededRows} seeded rows in ${setup.database} (${tables})`);
    log(`  migrations applied: ${setup.migrations.applied.map((m) => m.file.split('/').pop()).join(', ') || 'none'}`);
    const status = await cli(['db', 'status', '--exit-code'], embedded);
    if (status.exitCode !== 0) throw new Error('cruddur db status reports pending migrations after setup');
    return { seededRows: setup.seededRows };
  } finally {
    if (!wasRunning) await stopLocalPostgres(appDir);
  }
}
