import { Args } from '@oclif/core';
import { DbCommand, connectionFlags } from '../../db-base-command.js';

export default class DbConnect extends DbCommand {
  static override summary = 'Open psql on the database.';
  static override description = `Runs psql with your terminal (the password is passed in PGPASSWORD, never on the command line).
Extra arguments after -- go to psql. Needs psql: on Debian/Ubuntu install the postgresql-client package.`;

  static override strict = false;
  static override args = { psqlArgs: Args.string({ ignoreStdin: true, description: 'Arguments passed to psql (after --).' }) };

  static override examples = [
    { description: 'Interactive session', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Production', command: '<%= config.bin %> <%= command.id %> --prod' },
    { description: 'One query', command: '<%= config.bin %> <%= command.id %> -- -c "SELECT count(*) FROM users"' },
    { description: 'A script on standard input, as psql reads one', command: '<%= config.bin %> <%= command.id %> < script.sql' },
  ];

  static override flags = { ...connectionFlags };

  async run(): Promise<{ exitCode: number; target: string }> {
    const { flags, argv } = await this.parse(DbConnect);
    const target = await this.target(flags);
    const { runPsql } = await import('../../db/psql.js');
    const exitCode = await runPsql(target, argv as string[]);
    if (exitCode !== 0) process.exitCode = exitCode;
    return { exitCode, target: target.display };
  }
}
