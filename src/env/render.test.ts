import { describe, expect, it } from 'vitest';
import { CruddurError } from '../core/errors.js';
import { renderTemplate } from './render.js';

const render = (source: string, env: Record<string, string> = {}) =>
  renderTemplate({ source, templateName: 'erb/x.env.erb', env, root: '/app' });

describe('renderTemplate', () => {
  it('renders the bootcamp ERB forms unchanged, values unescaped', async () => {
    const out = await render(
      "A=<%= ENV['A'] %>\nB=<%= ENV[\"B\"] %>\nC=<%= ENV.C %>\nD=<%= env.D %>\nE=<%= ENV.fetch('E', 'dflt') %>\nR=<%= root %>\n",
      { A: 'x&y<z>"\'', B: 'postgresql://u:p@h/d?x=1&y=2', C: '', D: 'd' },
    );
    expect(out.content).toBe("A=x&y<z>\"'\nB=postgresql://u:p@h/d?x=1&y=2\nC=\nD=d\nE=dflt\nR=/app\n");
    expect(out.missing).toEqual([]);
    expect(out.variables).toEqual(['A', 'B', 'C', 'D', 'E']);
  });

  it('lists every unset variable with its template lines', async () => {
    const out = await render("X=<%= ENV['GONE'] %>\nY=<%= ENV['SET'] %>\nZ=<%= ENV['GONE'] %>-<%= env.ALSO_GONE %>\n", { SET: '1' });
    expect(out.missing).toEqual([
      { name: 'GONE', template: 'erb/x.env.erb', lines: [1, 3] },
      { name: 'ALSO_GONE', template: 'erb/x.env.erb', lines: [3] },
    ]);
  });

  it('optional() and ENV.fetch with a default are not missing', async () => {
    const out = await render("A=<%= optional('NOPE', 'x') %>\nB=<%= ENV.fetch('NOPE2', '') %>\n");
    expect(out.content).toBe('A=x\nB=\n');
    expect(out.missing).toEqual([]);
  });

  it.each([
    ["A=<%= ENV['A' %>\n", /Template erb\/x\.env\.erb.* could not be rendered/],
    ['A=<%= nothing.here %>\n', /Template erb\/x\.env\.erb:1 could not be rendered: nothing is not defined/],
    ['A=1\n\nB=<%= ENV.A.toFixed(2).x.y %>\n', /erb\/x\.env\.erb:3/],
    ['bin\u0000ary', /not a text template/],
  ])('a broken template (%j) is one error naming file and line', async (source, message) => {
    const error = await render(source, { A: 'a' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CruddurError);
    expect((error as CruddurError).message).toMatch(message);
    expect((error as CruddurError).message).not.toContain('\n');
  });
});
