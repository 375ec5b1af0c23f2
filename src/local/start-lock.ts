import { readFileSync, statSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CruddurError } from '../core/errors.js';

function holderAlive(lockDir: string): boolean {
  try {
    const pid = Number.parseInt(readFileSync(join(lockDir, 'pid'), 'utf8'), 10);
    if (!Number.isFinite(pid)) return false;
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

/**
 * Runs `work` while holding a lock directory (mkdir is atomic), so two cruddur processes on a fresh
 * checkout do not both initialise or start the local server. A lock left by a dead process is taken over.
 */
export async function withStartLock<T>(lockDir: string, work: () => Promise<T>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await mkdir(lockDir);
      break;
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw error;
      // Just created by someone who has not written its pid yet: give it a moment before judging it stale.
      if (!holderAlive(lockDir) && Date.now() - lockAge(lockDir) > 2_000) {
        await rm(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new CruddurError(`Another cruddur process is still starting the local PostgreSQL (${lockDir})`, {
          suggestion: `wait for it to finish, or remove ${lockDir} if no cruddur is running`,
          code: 'LOCAL_PG_LOCKED',
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    await writeFile(join(lockDir, 'pid'), String(process.pid));
    return await work();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}

/** When the lock dir was created (its mtime); 0 when it is gone. */
function lockAge(lockDir: string): number {
  try {
    return statSync(lockDir).mtimeMs;
  } catch {
    return 0;
  }
}
