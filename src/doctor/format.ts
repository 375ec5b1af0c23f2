import { describeSource } from '../core/config.js';
import { renderTable, stdoutTarget, type TableTarget } from '../core/table.js';
import type { DoctorReport } from './run.js';

/**
 * The doctor's text report: the checks (STATUS, CHECK, DETAIL / FIX, each fix on the row below its detail),
 * then each setting the checks used with where it came from, then the counts. Tables fit `target`
 * (the terminal's width, or plain lines when stdout is not a terminal).
 */
export function formatReport(report: DoctorReport, target: TableTarget = stdoutTarget()): string {
  const checkRows = report.checks.flatMap((c) => [[c.status.toUpperCase(), c.title, c.detail], ...(c.fix ? [['', '', `fix: ${c.fix}`]] : [])]);
  const settingRows = report.settings.map((s) => [s.label, s.value ?? '-', s.source ? describeSource({ source: s.source, name: s.variable }) : `not set (${s.variable})`]);
  const { ok, warn, fail, skip } = report.counts;
  return [
    renderTable(['STATUS', 'CHECK', 'DETAIL / FIX'], checkRows, target),
    '',
    renderTable(['SETTING', 'VALUE', 'FROM'], settingRows, target),
    '',
    `${ok} ok, ${warn} warning${warn === 1 ? '' : 's'}, ${fail} failed, ${skip} skipped`,
  ].join('\n');
}
