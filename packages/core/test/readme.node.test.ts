// Runs the README's TypeScript examples as written, so they stay true.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';

const readme = readFileSync(join(import.meta.dirname, '..', '..', '..', 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);
const scratch = mkdtempSync(join(import.meta.dirname, '.scratch-readme-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function runModule(name: string, code: string): Promise<unknown[][]> {
  const file = join(scratch, name);
  writeFileSync(file, code);
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    await import(/* @vite-ignore */ pathToFileURL(file).href);
    return log.mock.calls;
  } finally {
    log.mockRestore();
  }
}

describe('README examples', () => {
  it('the counter example prints 10', async () => {
    const counter = blocks.find((block) => block.startsWith('// counter.ts'));
    expect(counter).toBeDefined();
    const calls = await runModule('counter.ts', counter!);
    expect(calls).toEqual([[10]]);
  });

  it('the Poller example runs: tell/listen, stop, modifiers, timers', async () => {
    const poller = blocks.find((block) => block.includes('class Poller'));
    expect(poller).toBeDefined();
    const imports = "import { sk, Skprocess } from '@suitkaise/core';\n";
    // What the example ends with, checked: every run pushed one timestamp, flushed or returned, and timed.
    const checks = `
const { run, fullRun } = poller.timers!;
console.log({
  runs: poller.currentRun,
  seen: [...(batch as string[]), ...rest],
  timed: { run: run!.numTimes, fullRun: fullRun.numTimes },
  run: { min: run!.min, max: run!.max },
  fullRun: { min: fullRun.min, max: fullRun.max },
});
`;
    const calls = await runModule('poller.ts', `${imports}${poller!}${checks}`);
    expect(calls).toHaveLength(2);
    const [mean, p95] = calls[0] as [number, number];
    const ran = calls[1]![0] as {
      runs: number; seen: string[]; timed: { run: number; fullRun: number };
      run: { min: number; max: number }; fullRun: { min: number; max: number };
    };
    expect(ran.runs).toBeGreaterThanOrEqual(1);
    expect(ran.seen).toHaveLength(ran.runs);
    for (const stamp of ran.seen) expect(new Date(stamp).toISOString()).toBe(stamp);
    expect(ran.timed).toEqual({ run: ran.runs, fullRun: ran.runs });
    expect(mean).toBeGreaterThanOrEqual(ran.run.min);
    expect(mean).toBeLessThanOrEqual(ran.run.max);
    expect(p95).toBeGreaterThanOrEqual(ran.fullRun.min);
    expect(p95).toBeLessThanOrEqual(ran.fullRun.max);
    // A full run holds its __run__: each sample, and so the smallest and the largest.
    expect(ran.fullRun.min).toBeGreaterThanOrEqual(ran.run.min);
    expect(ran.fullRun.max).toBeGreaterThanOrEqual(ran.run.max);
  });

  it('the Pool example maps, star-maps, iterates with progress and aborts', async () => {
    const primes = blocks.find((block) => block.startsWith('// primes.ts'));
    expect(primes).toBeDefined();
    expect(await runModule('primes.ts', primes!)).toEqual([['1/2'], ['2/2'], [[1229, 2262, 3245], [3, 7], [168, 5133], 'cancelled']]);
  });

  it('the cucumber example prints 5 true [1, 2, 3]', async () => {
    const shapes = blocks.find((block) => block.startsWith('// shapes.ts'));
    expect(shapes).toBeDefined();
    expect(await runModule('shapes.ts', shapes!)).toEqual([[5, true, [1, 2, 3]]]);
  });

  it('the @autoreconnect example counts rows through a connection reopened in the worker', async () => {
    const inventory = blocks.find((block) => block.startsWith('// inventory.ts'));
    expect(inventory).toBeDefined();
    expect(await runModule('inventory.ts', inventory!)).toEqual([[2]]);
  });

  it('the Share example counts 40 increments from 4 processes', async () => {
    const tally = blocks.find((block) => block.startsWith('// tally.ts'));
    expect(tally).toBeDefined();
    expect(await runModule('tally.ts', tally!)).toEqual([[40, 4]]);
  });

  it('the Pipe example doubles 21', async () => {
    const doubler = blocks.find((block) => block.startsWith('// doubler.ts'));
    expect(doubler).toBeDefined();
    expect(await runModule('doubler.ts', doubler!)).toEqual([[42], [undefined]]);
  });
});
