// `npm run demo` (demo/main.ts) run as a user runs it: Node with the register hook, no bundler.
// A small item count keeps it quick; it must exit by itself with 0 and print its speed-up line.
// No timing is asserted (the speed-up is whatever this machine gives).
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repoRoot = resolve(import.meta.dirname, '..', '..', '..');

describe('npm run demo', () => {
  it('maps ranges over a Pool, then on one thread, agrees, prints the speed-up and exits 0', async () => {
    const { stdout, stderr } = await run(process.execPath, ['--import', '@suitkaise/node/register', 'demo/main.ts'], {
      cwd: repoRoot,
      env: { ...process.env, DEMO_ITEMS: '120', DEMO_WIDTH: '400', DEMO_WORKERS: '2' },
      timeout: 60_000, // killed (and failed) if it does not exit by itself
    });
    expect(stderr).toBe('');
    expect(stdout).toContain('120 ranges of 400 numbers');
    expect(stdout).toContain('the same on both sides: yes');
    expect(stdout).toMatch(/^Pool: 2 workers started in [\d,]+ ms\.$/m);
    expect(stdout).toMatch(/^speedup: \d+\.\d\d× on 2 workers \(\d+ cores\)$/m);
  }, 70_000);

  it('type-checks (demo/tsconfig.json)', async () => {
    await run(join(repoRoot, 'node_modules', '.bin', 'tsc'), ['-p', 'demo', '--noEmit'], { cwd: repoRoot, timeout: 60_000 });
  }, 70_000);

  it('rejects a bad knob with a clear message and exit code 1', async () => {
    const failed = await run(process.execPath, ['--import', '@suitkaise/node/register', 'demo/main.ts'], {
      cwd: repoRoot,
      env: { ...process.env, DEMO_ITEMS: 'many' },
      timeout: 60_000,
    }).then(() => null, (error: { code: number; stderr: string }) => error);
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain('DEMO_ITEMS must be a positive whole number, got many');
  }, 70_000);
});
