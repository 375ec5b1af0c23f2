import { appendFile } from 'node:fs/promises';
import { renderTable, stdoutTarget, type TableTarget } from '../core/table.js';
import { SYNC_ACTIONS, type ActionCounts, type ChangesetEntry } from './plan.js';
import type { SyncResult } from './sync.js';

const SHOWN_ROWS = 40;

const human = (bytes: number) =>
  bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

export function countsLine(counts: ActionCounts): string {
  return SYNC_ACTIONS.map((a) => `${counts[a]} ${a}`).join(', ');
}

/** The changes as a table (no_change and ignore left out, like the gem's `silent`), then the counts; fitted to `target`. */
export function summaryText(changeset: readonly ChangesetEntry[], counts: ActionCounts, target: TableTarget = stdoutTarget()): string {
  const changes = changeset.filter((e) => e.action === 'create' || e.action === 'update' || e.action === 'delete');
  const rows = changes.slice(0, SHOWN_ROWS).map((e) => [e.action, e.path, human(e.size), e.reason]);
  const lines = rows.length > 0 ? [renderTable(['ACTION', 'PATH', 'SIZE', 'REASON'], rows, target)] : ['Nothing to change: the bucket matches the build.'];
  if (changes.length > SHOWN_ROWS) lines.push(`... and ${changes.length - SHOWN_ROWS} more (see the changeset file)`);
  lines.push(`Plan: ${countsLine(counts)}`);
  return lines.join('\n');
}

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('`', "'");

/** Markdown for $GITHUB_STEP_SUMMARY. */
export function stepSummaryMarkdown(result: SyncResult): string {
  const c = result.counts;
  const changes = result.changeset.filter((e) => e.action === 'create' || e.action === 'update' || e.action === 'delete');
  const inv = result.invalidation;
  const lines = [
    `### Frontend sync to \`s3://${result.bucket}\`${result.dryRun ? ' (dry run)' : ''}`,
    '',
    '| create | update | delete | no change | ignore |',
    '| ---: | ---: | ---: | ---: | ---: |',
    `| ${c.create} | ${c.update} | ${c.delete} | ${c.no_change} | ${c.ignore} |`,
    '',
    `Uploaded ${result.uploaded.length}, deleted ${result.deleted.length}${result.failed.length > 0 ? `, **failed ${result.failed.length}**` : ''}.`,
    `CloudFront: ${inv.status}${inv.id ? ` (invalidation \`${inv.id}\`)` : ''}${inv.paths.length > 0 ? `: ${inv.paths.slice(0, 15).map((p) => `\`${p}\``).join(' ')}` : ''}${inv.reason ? ` (${inv.reason})` : ''}.`,
  ];
  if (changes.length > 0) {
    lines.push('', '<details><summary>Changes</summary>', '', '| action | path | reason |', '| --- | --- | --- |');
    for (const e of changes.slice(0, 200)) lines.push(`| ${e.action} | \`${cell(e.path)}\` | ${cell(e.reason)} |`);
    if (changes.length > 200) lines.push(`| ... | ${changes.length - 200} more | |`);
    lines.push('', '</details>');
  }
  return `${lines.join('\n')}\n`;
}

export async function appendStepSummary(path: string, markdown: string): Promise<void> {
  await appendFile(path, `${markdown}\n`);
}
