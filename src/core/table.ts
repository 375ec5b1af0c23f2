import Table from 'cli-table3';

/** Where a table is printed: its width in columns on a terminal, or plain (not a TTY). */
export interface TableTarget {
  /** False: plain lines (columns padded with spaces, never wrapped), for pipes, files and CI logs. */
  tty: boolean;
  /** The terminal's width in character columns (process.stdout.columns); ignored when not a TTY. */
  columns?: number;
}

/** Columns of spaces between two table columns. */
const GAP = 2;
/** The width assumed for a TTY that does not report one (the VT100's). */
const DEFAULT_COLUMNS = 80;

const NO_BORDERS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '',
  middle: ' '.repeat(GAP),
};

/** The table target of this process: a TTY stdout at its current width, else plain. */
export function stdoutTarget(stream: NodeJS.WriteStream = process.stdout): TableTarget {
  return stream.isTTY ? { tty: true, columns: stream.columns || DEFAULT_COLUMNS } : { tty: false };
}

const words = (text: string) => text.split(/\s+/).filter(Boolean);
const longestLine = (text: string) => Math.max(0, ...text.split('\n').map((l) => l.length));
const longestWord = (text: string) => Math.max(0, ...words(text).map((w) => w.length));

/**
 * Content widths (characters, without the gaps) for columns whose cells are at most `natural` wide and
 * whose longest words are `minimum` wide, sharing `available` characters: every column first gets its
 * longest word, then the rest is poured into the narrowest unfinished columns (a water level), so short
 * columns are shown whole and long ones share what is left. When even the longest words do not fit,
 * the widest columns are narrowed (min 1) and the caller must break their words.
 */
export function fitWidths(natural: number[], minimum: number[], available: number): number[] {
  const total = natural.reduce((a, b) => a + b, 0);
  if (total <= available) return [...natural];
  const widths = minimum.map((m, i) => Math.max(1, Math.min(m, natural[i] ?? m)));
  const floor = widths.reduce((a, b) => a + b, 0);
  if (floor > available) {
    // Narrow the widest column one character at a time, so short columns stay whole.
    for (let excess = floor - available; excess > 0; excess -= 1) {
      const widest = widths.indexOf(Math.max(...widths));
      if ((widths[widest] ?? 1) <= 1) break;
      widths[widest] = (widths[widest] ?? 1) - 1;
    }
    return widths;
  }
  let left = available - floor;
  while (left > 0) {
    let pick = -1;
    for (let i = 0; i < widths.length; i += 1) {
      if ((widths[i] ?? 0) < (natural[i] ?? 0) && (pick < 0 || (widths[i] ?? 0) < (widths[pick] ?? 0))) pick = i;
    }
    if (pick < 0) break;
    widths[pick] = (widths[pick] ?? 0) + 1;
    left -= 1;
  }
  return widths;
}

/** Splits every word longer than `width` into pieces of `width` (only when the terminal is too narrow for it). */
function breakLongWords(text: string, width: number): string {
  return text
    .split('\n')
    .map((line) => line.replace(/\S+/g, (word) => (word.length <= width ? word : (word.match(new RegExp(`.{1,${width}}`, 'g')) ?? [word]).join(' '))))
    .join('\n');
}

function plain(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join(' '.repeat(GAP))
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/**
 * The one table renderer: a header, a dashed rule, then one row per entry, no colours.
 * - Not a TTY: plain lines, each column padded to its longest cell, two spaces apart, nothing wrapped
 *   (stable for grep, awk and logs; a cell's newlines are flattened to spaces).
 * - A TTY: fitted to `columns` with cli-table3, cells wrapped at spaces; a word is split only when the
 *   terminal is narrower than the longest word of its column allows. No line is wider than `columns`.
 */
export function renderTable(headers: string[], rows: string[][], target: TableTarget = stdoutTarget()): string {
  if (!target.tty) return plain(headers, rows.map((r) => r.map((c) => c.replace(/\s*\n\s*/g, ' '))));
  const columns = Math.max(headers.length * (GAP + 1), target.columns ?? DEFAULT_COLUMNS);
  const all = [headers, ...rows];
  const natural = headers.map((_, i) => Math.max(1, ...all.map((r) => longestLine(r[i] ?? ''))));
  const minimum = headers.map((_, i) => Math.max(1, ...all.map((r) => longestWord(r[i] ?? ''))));
  const widths = fitWidths(natural, minimum, columns - GAP * (headers.length - 1));
  const cell = (text: string, i: number) => breakLongWords(text, widths[i] ?? 1);
  const table = new Table({
    head: [],
    chars: NO_BORDERS,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0, compact: true },
    colWidths: widths,
    wordWrap: true,
    wrapOnWordBoundary: true,
  });
  table.push(headers.map(cell), widths.map((w) => '-'.repeat(w)), ...rows.map((r) => headers.map((_, i) => cell(r[i] ?? '', i))));
  return table
    .toString()
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n');
}
