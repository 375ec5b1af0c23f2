import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { CLI } from './support/cli.js';

const run = (args: string[], env: Record<string, string> = {}) =>
  execa(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, extendEnv: false, stripFinalNewline: false });

describe('the start-up fast path', () => {
  it('answers --help exactly as oclif renders it', async () => {
    const fast = await run(['--help']);
    const oclif = await run(['--help'], { CRUDDUR_NO_FAST_PATH: '1' });
    expect(fast.stdout).toBe(oclif.stdout);
    expect(fast.stdout).toContain('TOPICS');
  });

  it('answers --version exactly as oclif does', async () => {
    const fast = await run(['--version']);
    const oclif = await run(['--version'], { CRUDDUR_NO_FAST_PATH: '1' });
    expect(fast.stdout).toBe(oclif.stdout);
  });

  it('leaves other widths and colour settings to oclif', async () => {
    const narrow = await run(['--help'], { OCLIF_COLUMNS: '50' });
    const oclif = await run(['--help'], { OCLIF_COLUMNS: '50', CRUDDUR_NO_FAST_PATH: '1' });
    expect(narrow.stdout).toBe(oclif.stdout);
    const colour = await run(['--help'], { FORCE_COLOR: '1' });
    expect(colour.stdout).toContain('\u001b[1mVERSION');
  });
});
