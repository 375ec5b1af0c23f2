import type { DoctorReport } from './run.js';

/** Splits text into lines of at most `width` characters, at spaces where possible. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = '';
    }
    line = line ? `${line} ${word}` : word;
    while (line.length > width) {
      lines.push(line.slice(0, width));
      line = line.slice(width);
    }
  }
  if (line || lines.length === 0) lines.push(line);
  return lines;
}

/**
 * The doctor's table: STATUS, CHECK, DETAIL, with each fix on the line below its detail ("fix: ..."),
 * wrapped to `width` columns so long details stay readable in a terminal.
 */
export function formatReport(report: DoctorReport, width = 100): string {
  const statusWidth = 6;
  const titleWidth = Math.max(5, ...report.checks.map((c) => c.title.length));
  const indent = statusWidth + 2 + titleWidth + 2;
  const textWidth = Math.max(30, width - indent);
  const pad = ' '.repeat(indent);
  const out = [`${'STATUS'.padEnd(statusWidth)}  ${'CHECK'.padEnd(titleWidth)}  DETAIL / FIX`, `${'-'.repeat(statusWidth)}  ${'-'.repeat(titleWidth)}  ${'-'.repeat(Math.min(textWidth, 40))}`];
  for (const c of report.checks) {
    const [first = '', ...rest] = wrap(c.detail, textWidth);
    out.push(`${c.status.toUpperCase().padEnd(statusWidth)}  ${c.title.padEnd(titleWidth)}  ${first}`.trimEnd());
    for (const line of rest) out.push(`${pad}${line}`);
    if (c.fix) for (const [i, line] of wrap(`fix: ${c.fix}`, textWidth).entries()) out.push(`${pad}${i === 0 ? '' : '     '}${line}`);
  }
  const { ok, warn, fail, skip } = report.counts;
  out.push('', `${ok} ok, ${warn} warning${warn === 1 ? '' : 's'}, ${fail} failed, ${skip} skipped`);
  return out.join('\n');
}
