import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCommand } from './support/command.js';
import { tempDir, type TempDir } from './support/tmp.js';

/** Issue 20's inputs, as a new user runs them: the built CLI (in the test process, runCommand) on a temp repository. */
describe('cruddur env generate: Ruby ERB templates and compose .env files', () => {
  let app: TempDir;
  beforeEach(async () => {
    app = await tempDir('cruddur-env-rules-');
    await mkdir(join(app.path, '.git'));
    await mkdir(join(app.path, 'erb'));
  });
  afterEach(async () => {
    await app.cleanup();
  });

  it('renders Ruby control flow and defaults, with ${VAR} and # in .env read as compose reads them', async () => {
    await writeFile(
      join(app.path, '.env'),
      'DB_PASSWORD=s3cr#t9 # local only\nCONNECTION_URL=postgresql://cruddur:${DB_PASSWORD}@127.0.0.1:5432/cruddur\nFEATURE_X=on\n',
    );
    await writeFile(
      join(app.path, 'erb', 'backend-flask.env.erb'),
      "CONNECTION_URL=<%= ENV['CONNECTION_URL'] %>\n<% if ENV['FEATURE_X'] %>\nQ=1\n<% end %>\nA=<%= ENV['FRONTEND_URL'] || 'http://localhost:3000' %>\n",
    );
    const result = await runCommand(['env', 'generate'], { cwd: app.path });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(await readFile(join(app.path, 'backend-flask.env'), 'utf8')).toBe(
      'CONNECTION_URL=postgresql://cruddur:s3cr#t9@127.0.0.1:5432/cruddur\n\nQ=1\n\nA=http://localhost:3000\n',
    );
  });

  it('an EJS trim tag is an error at its line and nothing is written', async () => {
    await writeFile(join(app.path, 'erb', 'x.env.erb'), "A=<%= ENV['X'] -%>\nB=2\n");
    const result = await runCommand(['env', 'generate'], { cwd: app.path, env: { X: 'alpha' } });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^Error: Template erb\/x\.env\.erb:1 could not be rendered: syntax error: "-%>" is EJS's trim tag/);
    expect(result.stderr).toMatch(/\nTry: fix line 1: \.erb templates are rendered as Ruby's ERB/);
    expect(existsSync(join(app.path, 'x.env'))).toBe(false);
  });

  it('an unset ${VAR} in .env is a warning naming file and line', async () => {
    await writeFile(join(app.path, '.env'), 'A=1\nCONNECTION_URL=postgresql://cruddur:${DB_PASSWORD}@127.0.0.1/cruddur\n');
    await writeFile(join(app.path, 'erb', 'x.env.erb'), "C=<%= ENV['CONNECTION_URL'] %>\n");
    const result = await runCommand(['env', 'generate'], { cwd: app.path });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('Warning: .env:2: the "DB_PASSWORD" variable is not set; defaulting to a blank string');
  });
});
