import { describe, expect, it } from 'vitest';
import { fitWidths, renderTable } from './table.js';

// Rows like the ones the bootstrap summary, the sync plan, `db sessions` and `doctor` print, with one long detail.
const headers = ['step', 'status', 'detail'];
const rows = [
  ['env', 'done', 'wrote backend-flask.env, frontend-react-js.env and sync.env'],
  ['db', 'failed', 'psql:backend-flask/db/seed.sql:12: ERROR: relation "public.users" does not exist; run `cruddur db setup` after fixing the schema, then run bootstrap again'],
  ['rds', 'skipped', 'DB_SG_ID is not set'],
];
const plan = [
  ['create', 'static/js/main.4f2a9c1e.js', '512.0 KiB', 'new file'],
  ['update', 'index.html', '1.2 KiB', 'md5 differs from the bucket object ETag'],
  ['delete', 'static/css/main.0b1c2d3e.css', '14.0 KiB', 'not in the build any more'],
];

const wordsOf = (table: string[][]) => table.flat().flatMap((cell) => cell.split(/\s+/).filter(Boolean));

describe('renderTable on a terminal', () => {
  it.each([60, 100])('fits %i columns, wrapping at spaces and never splitting a word', (columns) => {
    for (const [head, body] of [[headers, rows], [['ACTION', 'PATH', 'SIZE', 'REASON'], plan]] as const) {
      const text = renderTable([...head], body.map((r) => [...r]), { tty: true, columns });
      const lines = text.split('\n');
      for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(columns);
      const printed = new Set(lines.flatMap((l) => l.split(/\s+/)));
      for (const word of wordsOf([[...head], ...body.map((r) => [...r])])) expect(printed, word).toContain(word);
    }
  });

  it('wraps the long cell onto more lines at 60 columns than at 100, and keeps short tables as they are', () => {
    const narrow = renderTable(headers, rows, { tty: true, columns: 60 }).split('\n');
    const wide = renderTable(headers, rows, { tty: true, columns: 100 }).split('\n');
    expect(narrow.length).toBeGreaterThan(wide.length);
    expect(wide.length).toBeGreaterThan(2 + rows.length);
    expect(renderTable(['a', 'b'], [['1', 'two words']], { tty: true, columns: 60 }).split('\n')).toEqual(['a  b', '-  ---------', '1  two words']);
  });

  it('splits a word only when the terminal is narrower than the word', () => {
    const text = renderTable(['path'], [['frontend-react-js/build/static/js/main.js']], { tty: true, columns: 20 });
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(20);
    expect(text.replace(/\s+/g, '')).toContain('frontend-react-js/build/static/js/main.js'.replace(/\s+/g, ''));
    expect(text).not.toContain('…');
  });
});

describe('renderTable when not a terminal', () => {
  it('prints plain padded columns, one line per row, nothing wrapped', () => {
    const text = renderTable(headers, rows, { tty: false });
    const lines = text.split('\n');
    expect(lines).toHaveLength(2 + rows.length);
    expect(lines[0]).toBe('step  status   detail');
    expect(lines[1]).toMatch(/^----  -------  -+$/);
    expect(lines[3]).toBe(`db    failed   ${rows[1]?.[2]}`);
  });
});

describe('fitWidths', () => {
  it.each([
    [[5, 10], [5, 3], 40, [5, 10]],
    [[4, 50, 60], [4, 10, 12], 40, [4, 18, 18]],
    [[4, 10, 60], [4, 5, 12], 40, [4, 10, 26]],
    [[30, 30], [25, 25], 20, [10, 10]],
    [[8, 41, 28], [8, 41, 14], 56, [8, 34, 14]],
  ])('natural %j, longest words %j in %i -> %j', (natural, minimum, available, widths) => {
    expect(fitWidths(natural, minimum, available)).toEqual(widths);
  });
});
