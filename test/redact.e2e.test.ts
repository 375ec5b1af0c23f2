// Redaction through the built CLI (npm run build first): --json stays one valid JSON document whatever a message
// holds, .env errors quote no part of a malformed secret, and a libpq URL that WHATWG URL rejects (a space in the
// password) has its password masked. The commands run in the test process (runCommand), which also checks every
// registered secret against stdout and stderr; secrets.e2e runs DEBUG cases as processes (a fresh redactor).
// A failing `db seed --json` quoting KEY="value" is in db.test.ts, which has a PostgreSQL server already.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseJson, registerSecret } from './support/cli.js';
import { runCommand } from './support/command.js';
import { tempDir, type TempDir } from './support/tmp.js';

interface JsonError {
  error: { code: string; message: string; suggestion?: string };
}

const dirs: TempDir[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => d.cleanup()));
});

/** A project with one template `erb/b.env.erb` and the given `.env`. */
async function project(dotenv: string, template = "X=<%= ENV['DB_PASSWORD'] %>\n"): Promise<string> {
  const dir = await tempDir();
  dirs.push(dir);
  await mkdir(join(dir.path, '.git'));
  await mkdir(join(dir.path, 'erb'));
  await writeFile(join(dir.path, 'erb', 'b.env.erb'), template);
  await writeFile(join(dir.path, '.env'), dotenv);
  return dir.path;
}

describe('.env values with quotes: one JSON document, no part of the secret printed', () => {
  // [.env line, parts of the secret that must not be printed]
  const cases: [string, string[]][] = [
    ['DB_PASSWORD="abc"defghi', ['defghi']],
    ['API_TOKEN="abc" ,x', [' ,x']],
    ["DB_PASSWORD='it'sMyS3cret'", ['sMyS3cret']],
    ["DB_PASSWORD='o'ReillyS3cret'", ['ReillyS3cret']],
    ['DB_PASSWORD="pa"ss"word"', ['ss"word', 'word"']],
  ];
  for (const [, parts] of cases) for (const part of parts) registerSecret(part);

  it.each(cases)('%s', async (line) => {
    const cwd = await project(`A=1\n${line}\n`);
    const json = await runCommand(['env', 'generate', 'b', '--json'], { cwd });
    expect(json.exitCode, json.stderr).toBe(1);
    expect(json.stderr).toBe('');
    const doc = parseJson<JsonError>(json);
    expect(doc.error.code).toBe('ENV_FILE_INVALID');
    expect(doc.error.message).toMatch(/^\.env:2: the value of (DB_PASSWORD|API_TOKEN) has text after its closing (single|double) quote/);
    expect(doc.error.suggestion).toMatch(/^on line 2 of \.env, put the whole value of (DB_PASSWORD|API_TOKEN) in one pair of quotes/);

    const human = await runCommand(['env', 'generate', 'b'], { cwd });
    expect(human.exitCode).toBe(1);
    expect(human.stderr).toMatch(/^Error: \.env:2: the value of \S+ has text after its closing/m);
    expect(human.stderr).toMatch(/^Try: on line 2 of \.env, /m);
  });
});

describe('a libpq URL with a space in the password', () => {
  const url = 'postgresql://root:p%40ss w0rd@rds.example.com:5432/cruddur';
  registerSecret('p%40ss w0rd');
  registerSecret('p@ss w0rd');
  registerSecret('ss w0rd');

  it('env generate --stdout and --check mask it', async () => {
    const cwd = await project(`PROD_CONNECTION_URL="${url}"\n`, "PROD=<%= ENV['PROD_CONNECTION_URL'] %>\n");
    const stdout = await runCommand(['env', 'generate', 'b', '--stdout'], { cwd });
    expect(stdout.exitCode, stdout.stderr).toBe(0);
    expect(stdout.stdout).toContain('PROD=postgresql://root:***@rds.example.com:5432/cruddur');
    const check = await runCommand(['env', 'generate', 'b', '--check'], { cwd });
    expect(check.exitCode).toBe(1);
    expect(check.stdout + check.stderr).toContain('+ PROD=postgresql://root:***@rds.example.com:5432/cruddur');
    const checkJson = await runCommand(['env', 'generate', 'b', '--check', '--json'], { cwd });
    expect(JSON.stringify(parseJson(checkJson))).toContain('postgresql://root:***@rds.example.com:5432/cruddur');
  });
});
