import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir, type TempDir } from '../../test/support/tmp.js';
import { unreachableAncestor } from './postgres.js';

describe('unreachableAncestor', () => {
  let dir: TempDir;
  beforeEach(async () => {
    dir = await tempDir();
    await mkdir(join(dir.path, 'app', '.cruddur'), { recursive: true });
  });
  afterEach(async () => {
    await chmod(dir.path, 0o700);
    await dir.cleanup();
  });

  it('names the first folder other users cannot enter, or none', async () => {
    await chmod(dir.path, 0o700);
    await chmod(join(dir.path, 'app'), 0o755);
    expect(unreachableAncestor(join(dir.path, 'app', '.cruddur', 'postgres'))).toBe(dir.path);
    await chmod(dir.path, 0o711);
    expect(unreachableAncestor(join(dir.path, 'app', '.cruddur', 'postgres'))).toBeUndefined();
  });
});
