import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/tmp.js';

/** Command lines of the running processes that mention `text` (from /proc: no ps output parsing). */
async function processesMentioning(text: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of (await readdir('/proc')).filter((p) => /^\d+$/.test(p))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(text)) found.push(`${pid}: ${cmdline.replaceAll('\0', ' ')}`);
  }
  return found;
}

// `npm run demo` is the README's first command on a fresh machine: it must keep working.
describe('npm run demo', () => {
  it('runs the whole job on the local stack and cleans up after itself', async () => {
    const result = await execa(process.execPath, ['scripts/demo.js'], { cwd: REPO_ROOT, reject: false, env: { CI: 'true' }, timeout: 280_000 });
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(/Local stack started in [\d.]+ s/);
    expect(out).toMatch(/db\s+done\s+cruddur: 4 seeded rows, 2 migration\(s\) applied/);
    expect(out).toMatch(/Table cruddur-messages created: ACTIVE, index message-group-sk-index/);
    expect(out).toContain('DynamoDB: 5 items in cruddur-messages');
    expect(out).toMatch(/-> tmp\/avatars\/data\.jpg: 512x512 JPEG/);
    expect(out).toMatch(/Avatar ready after [\d.]+ s: s3:\/\/assets\.demo\.cruddur\.test\/avatars\/data\.jpg/);
    expect(out).toMatch(/Plan: 6 create, 0 update, 0 delete/);
    expect(out).toMatch(/\d+ ok, \d+ warnings?, 0 failed, \d+ skipped/);
    expect(out).toContain('demo finished');
    expect(out).toContain('Local stack stopped.');
  }, 300_000);

  it('stopped by SIGTERM once its stack is up, takes the stack down, removes its app and exits 143', async () => {
    const demo = execa(process.execPath, ['scripts/demo.js'], { cwd: REPO_ROOT, reject: false, env: { CI: 'true' }, timeout: 280_000, forceKillAfterDelay: 120_000 });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      demo.stdout?.on('data', (chunk: Buffer) => {
        out += String(chunk);
        if (/Local stack started in/.test(out)) resolve();
      });
      demo.on('exit', () => reject(new Error(`the demo ended before its stack was up:\n${out}`)));
    });
    const appDir = /cruddur demo in (\S+)/.exec(out)?.[1];
    expect(appDir).toBeDefined();
    demo.kill('SIGTERM');
    const result = await demo;
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(143);
    expect(result.stderr).toContain('SIGTERM: stopping the demo and its local stack');
    expect(result.stdout).toContain('Local stack stopped.');
    expect(result.stdout).not.toContain('demo finished');
    expect(existsSync(appDir as string)).toBe(false);
    expect(await processesMentioning(appDir as string)).toEqual([]);
  }, 300_000);
});
