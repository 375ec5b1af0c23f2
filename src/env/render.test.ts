import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE_APP, REPO_ROOT } from '../../test/support/tmp.js';
import { parseEnvFile } from '../core/env-file.js';
import { CruddurError } from '../core/errors.js';
import { renderTemplate } from './render.js';

const render = (source: string, env: Record<string, string> = {}) =>
  renderTemplate({ source, templateName: 'erb/x.env.erb', env, root: '/app' });
const renderEjs = (source: string, env: Record<string, string> = {}) =>
  renderTemplate({ source, templateName: 'templates/x.env.ejs', env, root: '/app' });

describe('renderTemplate', () => {
  it('.ejs: renders ENV, env, root and fetch, values unescaped', async () => {
    const out = await renderEjs(
      "A=<%= ENV['A'] %>\nB=<%= ENV[\"B\"] %>\nC=<%= ENV.C %>\nD=<%= env.D %>\nE=<%= ENV.fetch('E', 'dflt') %>\nR=<%= root %>\n",
      { A: 'x&y<z>"\'', B: 'postgresql://u:p@h/d?x=1&y=2', C: '', D: 'd' },
    );
    expect(out.content).toBe("A=x&y<z>\"'\nB=postgresql://u:p@h/d?x=1&y=2\nC=\nD=d\nE=dflt\nR=/app\n");
    expect(out.missing).toEqual([]);
    expect(out.variables).toEqual(['A', 'B', 'C', 'D', 'E']);
  });

  it('lists every unset variable with its template lines', async () => {
    const out = await renderEjs("X=<%= ENV['GONE'] %>\nY=<%= ENV['SET'] %>\nZ=<%= ENV['GONE'] %>-<%= env.ALSO_GONE %>\n", { SET: '1' });
    expect(out.missing).toEqual([
      { name: 'GONE', template: 'templates/x.env.ejs', lines: [1, 3] },
      { name: 'ALSO_GONE', template: 'templates/x.env.ejs', lines: [3] },
    ]);
  });

  it('optional() and ENV.fetch with a default are not missing', async () => {
    const out = await renderEjs("A=<%= optional('NOPE', 'x') %>\nB=<%= ENV.fetch('NOPE2', '') %>\n");
    expect(out.content).toBe('A=x\nB=\n');
    expect(out.missing).toEqual([]);
  });

  it.each([
    ["A=<%= ENV['A' %>\n", /Template templates\/x\.env\.ejs.* could not be rendered/],
    ['A=<%= nothing.here %>\n', /Template templates\/x\.env\.ejs:1 could not be rendered: nothing is not defined/],
    ['A=1\n\nB=<%= ENV.A.toFixed(2).x.y %>\n', /templates\/x\.env\.ejs:3/],
    ['bin\u0000ary', /not a text template/],
  ])('.ejs: a broken template (%j) is one error naming file and line', async (source, message) => {
    const error = await renderEjs(source, { A: 'a' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CruddurError);
    expect((error as CruddurError).message).toMatch(message);
    expect((error as CruddurError).message).not.toContain('\n');
  });
});

describe('renderTemplate: .erb is Ruby ERB (issue 20)', () => {
  it('renders Ruby control flow and the || default idiom', async () => {
    expect((await render("<% if ENV['FEATURE_X'] %>\nQ=1\n<% end %>\n", { FEATURE_X: 'on' })).content).toBe('\nQ=1\n\n');
    expect((await render("<% if ENV['FEATURE_X'] %>\nQ=1\n<% end %>\n")).content).toBe('\n');
    const fallback = await render("A=<%= ENV['FRONTEND_URL'] || 'http://localhost:3000' %>\n");
    expect(fallback.content).toBe('A=http://localhost:3000\n');
    expect(fallback.missing).toEqual([]);
  });

  it('EJS trim tags are errors at their line, never a silently joined file', async () => {
    const error = await render("A=<%= ENV['X'] -%>\nB=2\n", { X: 'alpha' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CruddurError);
    expect((error as CruddurError).message).toMatch(/^Template erb\/x\.env\.erb:1 could not be rendered: syntax error: "-%>" is EJS's trim tag/);
    expect((error as CruddurError).suggestion).toMatch(/Ruby's ERB/);
    expect((error as CruddurError).suggestion).not.toMatch(/JavaScript/);
  });

  it('a syntax error names the line and the construct', async () => {
    const error = await render("A=1\nB=2\nC=<%= ENV['A'] + 'x' %>\n").catch((e: unknown) => e);
    expect((error as CruddurError).message).toBe(
      `Template erb/x.env.erb:3 could not be rendered: unsupported Ruby "+": cruddur's ERB reads ENV['X'], ENV.fetch, strings, ||, &&, !, ==, !=, if/unless and ?: (see docs/env.md)`,
    );
    const method = await render("A=<%= ENV['A'].gsub('a', 'b') %>\n", { A: 'a' }).catch((e: unknown) => e);
    expect((method as CruddurError).message).toMatch(/erb:1 could not be rendered: unsupported Ruby method "\.gsub"/);
    // ENV where the template needs an operator is a syntax error, never "only ENV is available".
    const twice = await render("A=<%= ENV['A'];ENV['B'] %>\n", { A: 'a', B: 'b' }).catch((e: unknown) => e);
    expect((twice as CruddurError).message).toMatch(/erb:1 could not be rendered: syntax error: unexpected "ENV"/);
  });

  it('missing variables follow Ruby evaluation: untaken branches, || defaults and tests are not missing', async () => {
    const out = await render(
      [
        "<% if ENV['OFF'] %>X=<%= ENV['ONLY_WHEN_OFF_SET'] %><% end %>",
        "A=<%= ENV['GONE'] || 'd' %>",
        "B=<%= ENV['GONE2'].nil? ? 'unset' : 'set' %>",
        "C=<%= ENV['PRINTED'] %>",
        "D=<%= \"x#{ENV['INTERPOLATED']}\" %>",
        "E=<%= ENV.fetch('FETCHED') %>",
        "F=<%= ENV['STRIPPED'].strip %>",
        "G=<%= ENV['PRINTED'] %>",
        '',
      ].join('\n'),
    );
    expect(out.missing).toEqual([
      { name: 'PRINTED', template: 'erb/x.env.erb', lines: [4, 8] },
      { name: 'INTERPOLATED', template: 'erb/x.env.erb', lines: [5] },
      { name: 'FETCHED', template: 'erb/x.env.erb', lines: [6] },
      { name: 'STRIPPED', template: 'erb/x.env.erb', lines: [7] },
    ]);
    expect(out.content).toBe('\nA=d\nB=unset\nC=\nD=x\nE=\nF=\nG=\n');
    expect(out.variables).toEqual(['OFF', 'GONE', 'GONE2', 'PRINTED', 'INTERPOLATED', 'FETCHED', 'STRIPPED']);
  });
});

describe("the bootcamp's own templates render as before", () => {
  const apps = [FIXTURE_APP, join(REPO_ROOT, 'test', 'fixtures', 'bootcamp-env')];

  it.each(apps)('%s: Ruby ERB rendering equals the previous (EJS) rendering byte for byte', async (app) => {
    const envFile = ['demo.env', 'sample.env'].map((f) => join(app, f)).find((f) => existsSync(f)) as string;
    const env = parseEnvFile(await readFile(envFile, 'utf8'), { file: envFile });
    const templates = (await readdir(join(app, 'erb'))).filter((f) => f.endsWith('.env.erb'));
    expect(templates.length).toBeGreaterThanOrEqual(3);
    for (const name of templates) {
      const source = await readFile(join(app, 'erb', name), 'utf8');
      const input = { source, templateName: `erb/${name}`, env, root: '/app' };
      const erb = await renderTemplate({ ...input, engine: 'erb' });
      const ejs = await renderTemplate({ ...input, engine: 'ejs' });
      expect(erb.content).toBe(ejs.content);
      expect(erb.content).not.toContain('<%');
      expect(erb.missing).toEqual(ejs.missing);
    }
  });
});
