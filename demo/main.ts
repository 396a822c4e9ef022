/**
 * `npm run demo`: the Node twin of the playground's parallel render. Counts the primes in a few
 * thousand ranges with a `Pool` over every core (a progress bar fed by `onProgress`), then the
 * same on this one thread, checks both agree and prints the speed-up. No bundler:
 *
 *   node --import @suitkaise/node/register demo/main.ts
 *
 * Knobs: DEMO_ITEMS (ranges, default 3000), DEMO_WIDTH (numbers per range, default 1200),
 * DEMO_WORKERS (pool size, default: one per core).
 */
import { availableParallelism } from 'node:os';
import cliProgress from 'cli-progress';
import { Pool } from '@suitkaise/core';
import { countPrimes, ranges } from './primes.ts';

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive whole number, got ${raw}`);
  return value;
}

const items = positiveInt('DEMO_ITEMS', 3000);
const width = positiveInt('DEMO_WIDTH', 1200);
const workers = positiveInt('DEMO_WORKERS', availableParallelism());
// Far enough from 0 that every number costs some division.
const work = ranges(items, width, 50_000_000);
const [first, last] = [work[0]![0], work[work.length - 1]![1]];

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const fmt = new Intl.NumberFormat('en-US');

function progressBar(label: string): cliProgress.SingleBar {
  return new cliProgress.SingleBar(
    { format: `${label.padEnd(12)} {bar} {percentage}% | {value}/{total} ranges | {duration_formatted}`, hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
}

console.log(`Counting the primes in [${fmt.format(first)}, ${fmt.format(last)}): ${fmt.format(items)} ranges of ${fmt.format(width)} numbers.`);

// 1. A Pool: one worker per core (or DEMO_WORKERS), started before the clock runs, as an app would at start-up.
await using pool = new Pool({ workers });
const startedAt = performance.now();
await pool.map(countPrimes, ranges(workers, 1, 2), { chunkSize: 1 });
console.log(`Pool: ${workers} workers started in ${fmt.format(Math.round(performance.now() - startedAt))} ms.`);

const poolBar = progressBar(`Pool × ${workers}`);
poolBar.start(items, 0);
let began = performance.now();
const pooled = await pool.map(countPrimes, work, { onProgress: (done) => poolBar.update(done) });
const poolTime = performance.now() - began;
poolBar.update(items);
poolBar.stop();

// 2. The same ranges on this thread, one after another (the bar moves every 1% of the items).
const threadBar = progressBar('one thread');
threadBar.start(items, 0);
const step = Math.max(1, Math.floor(items / 100));
began = performance.now();
const single: number[] = [];
for (let i = 0; i < work.length; i += 1) {
  single.push(countPrimes(work[i]!));
  if ((i + 1) % step === 0) threadBar.update(i + 1);
}
const threadTime = performance.now() - began;
threadBar.update(items);
threadBar.stop();

// 3. The same answers, and how much faster.
const total = pooled.reduce((sum, n) => sum + n, 0);
const same = pooled.length === single.length && pooled.every((n, i) => n === single[i]);
if (!same) {
  console.error('The pool and the single thread disagree: this is a bug.');
  process.exitCode = 1;
}
console.log(`${fmt.format(total)} primes found, the same on both sides: ${same ? 'yes' : 'NO'}.`);
console.log(`Pool on ${workers} workers: ${seconds(poolTime)} · one thread: ${seconds(threadTime)}`);
console.log(`speedup: ${(threadTime / poolTime).toFixed(2)}× on ${workers} workers (${availableParallelism()} cores)`);
// `await using` closes the pool here; an idle pool never keeps Node from exiting anyway.
