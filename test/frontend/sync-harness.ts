import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { emptyHeaderConfig } from '../../src/frontend/routes.js';
import type { SyncSettings } from '../../src/frontend/settings.js';

/**
 * The in-process sync tests' settings: bucket `site`, the given distribution and build dir, auto-approved, and a
 * pending file under `<checkoutDir>/checkout` (a fresh checkout each time: nothing of the sync's state on disk).
 */
export function syncSettings(distributionId: string, buildDir: string, checkoutDir: string, extra: Partial<SyncSettings> = {}): SyncSettings {
  return {
    bucket: 'site',
    distributionId,
    buildDir,
    changesetPath: undefined,
    autoApprove: true,
    dryRun: false,
    delete: true,
    force: false,
    maxDelete: 256,
    concurrency: 4,
    ignore: [],
    filters: [],
    prefix: '',
    headers: emptyHeaderConfig(),
    invalidationTimeoutMs: 600_000,
    stripHtmlExtension: false,
    maxInvalidationPaths: 3000,
    wait: false,
    pendingPath: join(checkoutDir, 'checkout', '.cruddur', 'sync-pending-site.json'),
    sources: {},
    ...extra,
  };
}

/** Writes one build file, creating its folders. */
export async function putFile(buildDir: string, file: string, content: string | Buffer): Promise<void> {
  await mkdir(dirname(join(buildDir, file)), { recursive: true });
  await writeFile(join(buildDir, file), content);
}

/** Replaces the build dir with exactly these files. */
export async function writeTree(buildDir: string, files: Record<string, string>): Promise<void> {
  await rm(buildDir, { recursive: true, force: true });
  for (const [file, content] of Object.entries(files)) await putFile(buildDir, file, content);
}
