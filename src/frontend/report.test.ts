import { describe, expect, it } from 'vitest';
import { countActions, type ChangesetEntry } from './plan.js';
import { stepSummaryMarkdown, summaryText } from './report.js';
import type { SyncResult } from './sync.js';

const changeset: ChangesetEntry[] = [
  { path: 'gone.js', md5: 'a'.repeat(32), action: 'delete', size: 10, reason: 'not in the build' },
  { path: 'index.html', md5: 'b'.repeat(32), action: 'update', size: 2048, reason: 'content differs (MD5)' },
  { path: 'robots.txt', md5: 'c'.repeat(32), action: 'no_change', size: 24, reason: 'same size and MD5' },
  { path: 'a|b.txt', md5: 'd'.repeat(32), action: 'create', size: 1, reason: 'not in the bucket' },
];

describe('summaryText', () => {
  it('lists the changes (not no_change/ignore) and the counts', () => {
    const text = summaryText(changeset, countActions(changeset));
    expect(text.split('\n')).toEqual([
      'ACTION  PATH        SIZE     REASON',
      '------  ----------  -------  ---------------------',
      'delete  gone.js     10 B     not in the build',
      'update  index.html  2.0 KiB  content differs (MD5)',
      'create  a|b.txt     1 B      not in the bucket',
      'Plan: 1 create, 1 update, 1 delete, 1 no_change, 0 ignore',
    ]);
  });

  it('says so when nothing changes', () => {
    const same = [changeset[2] as ChangesetEntry];
    expect(summaryText(same, countActions(same))).toBe('Nothing to change: the bucket matches the build.\nPlan: 0 create, 0 update, 0 delete, 1 no_change, 0 ignore');
  });
});

describe('stepSummaryMarkdown', () => {
  it('renders counts, the invalidation and an escaped list of changes', () => {
    const result: SyncResult = {
      bucket: 'example.com',
      buildDir: '/b',
      changesetPath: undefined,
      dryRun: false,
      applied: true,
      counts: countActions(changeset),
      changeset,
      uploaded: ['index.html', 'a|b.txt'],
      copied: [],
      deleted: ['gone.js'],
      deleteBatches: 1,
      failed: [],
      invalidation: { status: 'created', distributionId: 'E1', id: 'I9', paths: ['/', '/index.html'] },
      skipped: [],
      resumed: [],
    };
    const md = stepSummaryMarkdown(result);
    expect(md).toContain('### Frontend sync to `s3://example.com`');
    expect(md).toContain('| 1 | 1 | 1 | 1 | 0 |');
    expect(md).toContain('CloudFront: created (invalidation `I9`): `/` `/index.html`.');
    expect(md).toContain('| create | `a\\|b.txt` | not in the bucket |');
    expect(md).not.toContain('robots.txt');
  });
});
