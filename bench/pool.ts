/**
 * `npm run bench`, part 3: suitkaise `Pool` side by side with Piscina, tinypool, workerpool and a
 * raw worker_threads baseline batched by hand (BENCH_ONLY=pool runs only this part).
 *
 *   1. Throughput: 100k tiny items (`x => x + 1`) on 2 workers. suitkaise `pool.map(increment,
 *      items)`; raw: the items split into one batch per worker, each batch one message, the worker
 *      maps it and posts the results array back; Piscina / tinypool `run(x)` and workerpool
 *      `exec('increment', [x])` once per item (Promise.all over all of them). Every pool is
 *      started and warmed first, untimed (suitkaise and raw: a 1,000-item map, then one full pass;
 *      the per-item peers, which take seconds a pass: a 10,000-item map).
 *   2. Scaling: 200 CPU-bound items of ~20 ms each (a busy loop on performance.now()), at 1 and
 *      2 workers, suitkaise and Piscina. Efficiency = (time at 1 / time at 2) / 2; at 1 worker,
 *      ideal (200 × 20 ms) / measured.
 *   3. Latency: 1,000 sequential single-item calls, `await pool.map(increment, [i])` against
 *      `await piscina.run(i)` (and one raw postMessage round trip of `[i]`, for reference).
 *   4. In Chromium: 100k tiny items through a suitkaise Pool against hand-batched raw module Web
 *      Workers (2 workers each), on a `vite build` of bench/browser-pool served by `vite preview`
 *      (production) and on the Vite dev server.
 *   5. Where suitkaise's time goes in 1 and 3: the chunks it cuts, wall and main-thread busy time
 *      per pass for several chunk sizes, cucumber on a 12,500-number array, heap kept per call.
 *
 * Repetitions run in rounds whose side order rotates (drift and noise hit every side alike);
 * tables give medians. A full GC runs (untimed) before each timed pass in 1. Every result is
 * checked, untimed. The machine's load average is printed with each table.
 *
 * Knobs: BENCH_POOL_REPS (timed passes of suitkaise and raw in 1 and 4, default 5),
 * BENCH_POOL_PEER_REPS (of the per-item peers in 1, default 3), BENCH_POOL_SCALING_REPS (passes
 * per side and worker count in 2, default 3), BENCH_POOL_CALLS (sequential calls per side in 3,
 * default 1000), BENCH_POOL_BROWSER (`both` (default), `build`, `dev` or `none`), BENCH_POOL_PARTS
 * (which of 1–5 to run, default `1,2,3,4,5`).
 */
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { performance as nodePerformance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { Tinypool } from 'tinypool';
import workerpool from 'workerpool';
import { cucumber, Pool } from '@suitkaise/core';
import type { BrowserBenchApi, BrowserBenchOptions, BrowserBenchSetup, BrowserBenchSide } from './browser-pool/main.ts';
import { busy, increment } from './pool-functions.ts';
import { stats, type Stats } from './stats.ts';

const benchDir = process.env.SUITKAISE_BENCH_DIR ?? dirname(fileURLToPath(import.meta.url));
const rootDir = dirname(benchDir);
const peerWorkerFile = join(benchDir, 'pool-peer-worker.mjs');
const workerpoolWorkerFile = join(benchDir, 'pool-workerpool-worker.mjs');
const rawWorkerFile = join(benchDir, 'pool-raw-worker.mjs');

function positiveInt(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

const WORKERS = 2;
const TINY_ITEMS = 100_000;
const REPS = positiveInt('BENCH_POOL_REPS', 5);
const PEER_REPS = positiveInt('BENCH_POOL_PEER_REPS', 3);
const BUSY_ITEMS = 200;
const BUSY_MS = 20;
const SCALING_REPS = positiveInt('BENCH_POOL_SCALING_REPS', 3);
const CALLS = positiveInt('BENCH_POOL_CALLS', 1000);
const CALL_WARMUP = 100;
/** Sequential calls per interleaved block in benchmark 3. */
const CALL_BLOCK = 100;

// ── the sides ───────────────────────────────────────────────────────────────────────────────

/** One side of a benchmark: a started pool and one way to map an array through it. */
interface Side {
  readonly name: string;
  run(items: readonly number[]): Promise<number[]>;
  close(): Promise<void>;
}

function suitkaiseSide(workers: number, fn: typeof increment | typeof busy, name = 'suitkaise Pool.map'): Side & { pool: Pool } {
  const pool = new Pool({ workers });
  return {
    name,
    pool,
    run: (items) => pool.map(fn, items),
    close: () => pool.close(),
  };
}

/** `workers` raw worker_threads workers; a map sends one batch per worker. */
async function rawSide(workers: number, task: 'increment' | 'busy'): Promise<Side & { roundTrip(item: number): Promise<number> }> {
  const all = await Promise.all(Array.from({ length: workers }, () => new Promise<Worker>((resolve, reject) => {
    const worker = new Worker(rawWorkerFile, { workerData: { task } });
    worker.once('online', () => resolve(worker));
    worker.once('error', reject);
  })));
  const send = (worker: Worker, batch: readonly number[]) => new Promise<number[]>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    worker.once('error', onError);
    worker.once('message', (results: number[]) => {
      worker.off('error', onError);
      resolve(results);
    });
    worker.postMessage(batch);
  });
  return {
    name: 'raw worker_threads, hand-batched',
    async run(items) {
      const per = Math.ceil(items.length / workers);
      const parts = await Promise.all(all.map((worker, w) => send(worker, items.slice(w * per, (w + 1) * per))));
      const results = new Array<number>(items.length);
      let at = 0;
      for (const part of parts) for (let i = 0; i < part.length; i++) results[at++] = part[i]!;
      return results;
    },
    async roundTrip(item) {
      const [result] = await send(all[0]!, [item]);
      return result!;
    },
    async close() {
      await Promise.all(all.map((worker) => worker.terminate()));
    },
  };
}

function piscinaSide(workers: number, task: 'increment' | 'busy'): Side & { piscina: Piscina } {
  const piscina = new Piscina({ filename: peerWorkerFile, name: task, minThreads: workers, maxThreads: workers, idleTimeout: 60_000 });
  return {
    name: 'Piscina run() per item',
    piscina,
    run: (items) => Promise.all(items.map((item) => piscina.run(item) as Promise<number>)),
    close: () => piscina.close(),
  };
}

function tinypoolSide(workers: number): Side {
  const pool = new Tinypool({ filename: peerWorkerFile, name: 'increment', minThreads: workers, maxThreads: workers, idleTimeout: 60_000 });
  return {
    name: 'tinypool run() per item',
    run: (items) => Promise.all(items.map((item) => pool.run(item) as Promise<number>)),
    close: () => pool.destroy(),
  };
}

function workerpoolSide(workers: number): Side {
  const pool = workerpool.pool(workerpoolWorkerFile, { minWorkers: workers, maxWorkers: workers, workerType: 'thread' });
  return {
    name: 'workerpool exec() per item',
    run: (items) => Promise.all(items.map((item) => pool.exec('increment', [item]) as unknown as Promise<number>)),
    close: async () => { await pool.terminate(); },
  };
}

// ── helpers ─────────────────────────────────────────────────────────────────────────────────

function range(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}

/** Untimed: `results` must be `items` mapped by `expected`. */
function check(side: string, items: readonly number[], results: readonly number[], expected: (x: number) => number): void {
  if (results.length !== items.length) throw new Error(`${side}: ${results.length} results for ${items.length} items`);
  for (let i = 0; i < items.length; i++) {
    if (results[i] !== expected(items[i]!)) throw new Error(`${side}: result ${i} is ${String(results[i])}, expected ${expected(items[i]!)}`);
  }
}

const plusOne = (x: number) => x + 1;

/**
 * A full collection, untimed, before each timed pass: one side's garbage (100k promises of a
 * per-item peer) is not collected on the next side's clock.
 */
const collectGarbage: () => void = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

async function timedRun(side: Side, items: readonly number[], expected: (x: number) => number): Promise<number> {
  collectGarbage();
  const began = performance.now();
  const results = await side.run(items);
  const elapsed = performance.now() - began;
  check(side.name, items, results, expected);
  return elapsed;
}

/** `rounds` rounds; each runs every job once, in an order rotated by one per round. */
async function rotated(rounds: number, jobs: ReadonlyArray<() => Promise<void>>): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < jobs.length; k++) await jobs[(round + k) % jobs.length]!();
  }
}

type Cell = string;

function table(header: Cell[], body: Cell[][]): string {
  const widths = header.map((_, column) => Math.max(...[header, ...body].map((cells) => (cells[column] ?? '').length)));
  const line = (cells: Cell[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ').trimEnd();
  return [line(header), widths.map((width) => '─'.repeat(width)).join('  '), ...body.map(line)].join('\n');
}

const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 1)} ms`;
const µs = (valueMs: number) => `${(valueMs * 1000).toFixed(1)} µs`;
const perSecond = (count: number, elapsedMs: number) => {
  const rate = count / (elapsedMs / 1000);
  return rate >= 1e6 ? `${(rate / 1e6).toFixed(2)} M/s` : `${(rate / 1e3).toFixed(0)} k/s`;
};
const percent = (value: number) => `${(value * 100).toFixed(1)} %`;
const verdict = (met: boolean) => (met ? 'met' : 'not met');
const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s, load ${loadavg()[0]!.toFixed(2)}`;

// ── 1. throughput ───────────────────────────────────────────────────────────────────────────

async function throughput(): Promise<void> {
  const items = range(TINY_ITEMS);
  const began = performance.now();
  const raw = await rawSide(WORKERS, 'increment');
  const sk = suitkaiseSide(WORKERS, increment);
  const peers = [piscinaSide(WORKERS, 'increment'), tinypoolSide(WORKERS), workerpoolSide(WORKERS)];
  const sides: Side[] = [sk, raw, ...peers];
  const samples = new Map<Side, number[]>(sides.map((side) => [side, []]));
  // The per-item peers take seconds a pass: fewer passes for them.
  const repsOf = (side: Side) => (side === sk || side === raw ? REPS : PEER_REPS);
  try {
    // Warm-up, start-up included here only: a small map; the batched sides, one more full pass.
    for (const side of sides) {
      const warm = range(side === sk || side === raw ? 1000 : 10_000);
      check(side.name, warm, await side.run(warm), plusOne);
      if (side === sk || side === raw) await timedRun(side, items, plusOne);
    }
    const rounds = Math.max(REPS, PEER_REPS);
    await rotated(rounds, sides.map((side) => async () => {
      const kept = samples.get(side)!;
      if (kept.length < repsOf(side)) kept.push(await timedRun(side, items, plusOne));
    }));
  } finally {
    await Promise.all(sides.map((side) => side.close()));
  }
  const rawMedian = stats(samples.get(raw)!).median;
  const body = sides.map((side) => {
    const s = stats(samples.get(side)!);
    const ratio = rawMedian / s.median;
    return [
      side.name, String(s.n), ms(s.median), ms(s.p90), perSecond(TINY_ITEMS, s.median), side === raw ? '1.00×' : `${ratio.toFixed(2)}×`,
      side === sk ? '≥ 0.7×' : '', side === sk ? verdict(ratio >= 0.7) : '',
    ];
  });
  console.log(`\n1. throughput: ${TINY_ITEMS / 1000}k tiny items (x => x + 1), ${WORKERS} workers, start-up and warm-up not timed (${seconds(began)})\n`);
  console.log(table(['side', 'passes', 'median / pass', 'p90', 'items/s', '× raw throughput', 'goal', ''], body));
}

// ── 2. scaling ──────────────────────────────────────────────────────────────────────────────

async function scaling(): Promise<void> {
  const items = new Array<number>(BUSY_ITEMS).fill(BUSY_MS);
  const ideal = BUSY_ITEMS * BUSY_MS;
  const same = (x: number) => x;
  const began = performance.now();
  const configs = [
    { side: suitkaiseSide(1, busy), library: 'suitkaise Pool.map', workers: 1 },
    { side: suitkaiseSide(2, busy), library: 'suitkaise Pool.map', workers: 2 },
    { side: piscinaSide(1, 'busy'), library: 'Piscina run() per item', workers: 1 },
    { side: piscinaSide(2, 'busy'), library: 'Piscina run() per item', workers: 2 },
  ];
  const samples = new Map(configs.map((config) => [config, [] as number[]]));
  try {
    for (const { side } of configs) check(side.name, [1, 1, 1, 1], await side.run([1, 1, 1, 1]), same);
    await rotated(SCALING_REPS, configs.map((config) => async () => { samples.get(config)!.push(await timedRun(config.side, items, same)); }));
  } finally {
    await Promise.all(configs.map(({ side }) => side.close()));
  }
  const body: Cell[][] = [];
  for (const library of ['suitkaise Pool.map', 'Piscina run() per item']) {
    const [one, two] = [1, 2].map((workers) => samples.get(configs.find((c) => c.library === library && c.workers === workers)!)!);
    const [t1, t2] = [stats(one!).median, stats(two!).median];
    const efficiency = t1 / t2 / 2;
    const ofIdeal = ideal / t1;
    const isSk = library.startsWith('suitkaise');
    body.push([
      library, ms(t1), percent(ofIdeal), ms(t2), percent(ideal / 2 / t2), percent(efficiency),
      percent(Math.min(...one!) / Math.min(...two!) / 2),
      isSk ? '≥ 95 %' : '', isSk ? verdict(efficiency >= 0.95 && ofIdeal >= 0.95) : '',
    ]);
  }
  console.log(
    `\n2. scaling: ${BUSY_ITEMS} CPU-bound items of ~${BUSY_MS} ms (ideal ${ideal} ms at 1 worker, ${ideal / 2} ms at 2); ` +
      `median of ${SCALING_REPS} passes per side and worker count (${seconds(began)})\n`,
  );
  console.log(table(['side', '1 worker', 'ideal / measured', '2 workers', 'ideal / measured', 'efficiency (t1/t2)/2', 'same, fastest passes', 'goal', ''], body));
  console.log('  goal: efficiency and ideal / measured at 1 worker, from medians. Other load on the machine lowers the 2-worker figures of every side.');
}

// ── 3. latency ──────────────────────────────────────────────────────────────────────────────

async function latency(): Promise<void> {
  const began = performance.now();
  const sk = suitkaiseSide(WORKERS, increment);
  const piscina = piscinaSide(WORKERS, 'increment');
  const raw = await rawSide(WORKERS, 'increment');
  const calls: Array<{ name: string; call(i: number): Promise<number>; samples: number[] }> = [
    { name: 'suitkaise await pool.map(increment, [i])', call: async (i) => (await sk.pool.map(increment, [i]))[0]!, samples: [] },
    { name: 'Piscina await piscina.run(i)', call: (i) => piscina.piscina.run(i) as Promise<number>, samples: [] },
    { name: 'raw postMessage([i]) round trip', call: (i) => raw.roundTrip(i), samples: [] },
  ];
  const block = async (side: (typeof calls)[number], from: number, count: number, keep: boolean) => {
    for (let i = from; i < from + count; i++) {
      const t = performance.now();
      const result = await side.call(i);
      const elapsed = performance.now() - t;
      if (result !== i + 1) throw new Error(`${side.name}: ${String(result)} for ${i}`);
      if (keep) side.samples.push(elapsed);
    }
  };
  try {
    for (const side of calls) await block(side, 0, CALL_WARMUP, false);
    const blocks = Math.ceil(CALLS / CALL_BLOCK);
    await rotated(blocks, calls.map((side) => () => block(side, CALL_WARMUP + side.samples.length, CALL_BLOCK, true)));
  } finally {
    await Promise.all([sk.close(), piscina.close(), raw.close()]);
  }
  const piscinaMedian = stats(calls[1]!.samples).median;
  const body = calls.map((side, k) => {
    const s: Stats = stats(side.samples);
    const ratio = s.median / piscinaMedian;
    return [side.name, µs(s.median), µs(s.p90), k === 1 ? '1.00×' : `${ratio.toFixed(2)}×`, k === 0 ? '≤ 1.2×' : '', k === 0 ? verdict(ratio <= 1.2) : ''];
  });
  console.log(
    `\n3. latency: ${calls[0]!.samples.length} sequential single-item calls per side after ${CALL_WARMUP} warm-up, ${WORKERS} workers; ` +
      `blocks of ${CALL_BLOCK} rotate between sides (${seconds(began)})\n`,
  );
  console.log(table(['side', 'median / call', 'p90', '× Piscina', 'goal', ''], body));
}

// ── 4. Chromium ─────────────────────────────────────────────────────────────────────────────

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
];

/** One page under test: how it is served, and its samples. */
interface BrowserPage {
  readonly mode: string;
  readonly setupMs: number;
  readonly setup: BrowserBenchSetup;
  readonly pass: (side: BrowserBenchSide) => Promise<number>;
  readonly samples: Record<BrowserBenchSide, number[]>;
  close(): Promise<void>;
}

async function browser(): Promise<void> {
  const which = process.env.BENCH_POOL_BROWSER ?? 'both';
  if (which === 'none') return;
  const began = performance.now();
  const { build, createServer, preview } = await import('vite');
  const { chromium } = await import('playwright');
  const pageRoot = join(benchDir, 'browser-pool');
  const cacheDir = join(rootDir, 'node_modules', '.cache', 'suitkaise');
  const common = {
    configFile: join(pageRoot, 'vite.config.ts'),
    root: pageRoot,
    cacheDir: join(cacheDir, 'vite-bench-pool'),
    logLevel: 'warn' as const,
    clearScreen: false,
  };
  const outDir = join(cacheDir, 'bench-browser-pool-dist');
  const options: BrowserBenchOptions = { items: TINY_ITEMS, workers: WORKERS };
  const pages: BrowserPage[] = [];
  const closers: Array<() => Promise<void>> = [];
  const browserApp = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
  closers.push(() => browserApp.close());

  /** Load `url` in a fresh context and set its bench up. */
  const open = async (mode: string, url: string, setupBegan: number): Promise<void> => {
    const context = await browserApp.newContext();
    closers.push(() => context.close());
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const failed = (error: unknown) => new Error(`${mode}: ${error instanceof Error ? error.message : String(error)}${errors.length ? `; page errors: ${errors.join(' | ')}` : ''}`);
    type Api = Window & BrowserBenchApi;
    try {
      await page.goto(url);
      await page.waitForFunction(() => (window as unknown as Partial<Api>).__benchReady === true, undefined, { timeout: 60_000 });
      const setup = await page.evaluate((o) => (window as unknown as Api).__benchSetup(o), options);
      pages.push({
        mode,
        setupMs: performance.now() - setupBegan,
        setup,
        pass: (side) => page.evaluate((s) => (window as unknown as Api).__benchPass(s), side).catch((error: unknown) => { throw failed(error); }),
        samples: { sk: [], raw: [] },
        close: () => page.evaluate(() => (window as unknown as Api).__benchTeardown()),
      });
    } catch (error) {
      throw failed(error);
    }
  };

  try {
    if (which === 'both' || which === 'build') {
      const t = performance.now();
      await build({
        ...common,
        build: {
          outDir,
          emptyOutDir: true,
          reportCompressedSize: false,
          // The suitkaise plugin's worker-modules table dynamically imports the module the worker
          // entry also imports statically: harmless, and said on every build.
          rolldownOptions: { onwarn: (warning, warn) => { if (warning.code !== 'INEFFECTIVE_DYNAMIC_IMPORT') warn(warning); } },
        },
      });
      const server = await preview({ ...common, build: { outDir }, preview: { host: '127.0.0.1', port: 0, strictPort: false } });
      closers.push(() => server.close());
      const url = server.resolvedUrls?.local[0];
      if (!url) throw new Error('vite preview has no local URL');
      await open('production build (vite build + vite preview)', url, t);
    }
    if (which === 'both' || which === 'dev') {
      const t = performance.now();
      const server = await createServer({ ...common, server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: null } });
      closers.push(() => server.close());
      await server.listen();
      const url = server.resolvedUrls?.local[0];
      if (!url) throw new Error('the Vite dev server has no local URL');
      await open('Vite dev server', url, t);
    }
    // Every page's sides, in rotating order: the pages' workers are all up, idle when not measured.
    await rotated(REPS, pages.flatMap((page) => (['sk', 'raw'] as const).map((side) => async () => { page.samples[side].push(await page.pass(side)); })));
    for (const page of pages) await page.close();
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  }
  const body = pages.map(({ mode, samples }) => {
    const sk = stats(samples.sk).median;
    const raw = stats(samples.raw).median;
    const ratio = raw / sk;
    return [mode, ms(sk), perSecond(TINY_ITEMS, sk), ms(raw), perSecond(TINY_ITEMS, raw), `${ratio.toFixed(2)}×`, '≥ 0.7×', verdict(ratio >= 0.7)];
  });
  const info = pages[0]?.setup;
  console.log(
    `\n4. Chromium ${browserApp.version()}: ${TINY_ITEMS / 1000}k tiny items, ${WORKERS} workers, suitkaise Pool.map vs raw module Web Workers batched by hand; ` +
      `median of ${REPS} timed passes per side and page, pages and sides interleaved, after a warm-up map and one untimed full pass (${seconds(began)}` +
      `${info ? `; crossOriginIsolated ${info.crossOriginIsolated}, hardwareConcurrency ${info.hardwareConcurrency}` : ''})\n`,
  );
  console.log(table(['page', 'suitkaise / pass', 'items/s', 'raw / pass', 'items/s', '× raw throughput', 'goal (as 1)', ''], body));
  for (const { mode, setupMs, setup } of pages) {
    console.log(`  ${mode}: build/serve + page load + warm-up ${(setupMs / 1000).toFixed(1)} s, not counted; first (cold) map of 1000 items: suitkaise ${ms(setup.coldSk)}, raw ${ms(setup.coldRaw)}`);
  }
}

// ── 5. where suitkaise's time goes ──────────────────────────────────────────────────────────

function timeEach(reps: number, op: () => void): number {
  const samples: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    op();
    samples.push(performance.now() - t);
  }
  return stats(samples).median;
}

/** Median wall time and main-thread busy time (event-loop utilization) of `passes` runs of `run`. */
async function wallAndBusy(passes: number, run: () => Promise<unknown>): Promise<{ wall: number; busy: number }> {
  const walls: number[] = [];
  const busies: number[] = [];
  for (let i = 0; i < passes; i++) {
    collectGarbage();
    const elu = nodePerformance.eventLoopUtilization();
    const t = performance.now();
    await run();
    walls.push(performance.now() - t);
    busies.push(nodePerformance.eventLoopUtilization(elu).active);
  }
  return { wall: stats(walls).median, busy: stats(busies).median };
}

/** Heap still used (after a full collection) per call, over `calls` sequential calls. */
async function retainedPerCall(calls: number, call: (i: number) => Promise<unknown>): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 10));
  collectGarbage();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < calls; i++) await call(i);
  await new Promise((resolve) => setTimeout(resolve, 10));
  collectGarbage();
  return (process.memoryUsage().heapUsed - before) / calls;
}

const indent = (text: string) => text.split('\n').map((line) => `  ${line}`).join('\n');

async function breakdown(): Promise<void> {
  const began = performance.now();
  const items = range(TINY_ITEMS);
  const sizes: number[] = [];
  const rows: Cell[][] = [];
  const raw = await rawSide(WORKERS, 'increment');
  const piscina = piscinaSide(WORKERS, 'increment');
  let skRetained: number;
  let piscinaRetained: number;
  try {
    const rawCost = await wallAndBusy(4, () => raw.run(items));
    for (const chunkSize of [undefined, 1000, TINY_ITEMS / WORKERS]) {
      await using pool = new Pool({ workers: WORKERS });
      await pool.map(increment, range(1000));
      let last = 0;
      const options = chunkSize === undefined
        ? { onProgress: (done: number) => { sizes.push(done - last); last = done; } }
        : { chunkSize };
      check('suitkaise', items, await pool.map(increment, items, options), plusOne);
      const cost = await wallAndBusy(4, () => pool.map(increment, items, chunkSize === undefined ? undefined : { chunkSize }));
      const label = chunkSize === undefined ? 'pool.map, chunkSize adaptive (default)'
        : chunkSize === TINY_ITEMS / WORKERS ? `pool.map, chunkSize ${chunkSize} (one chunk per worker, as raw)` : `pool.map, chunkSize ${chunkSize}`;
      rows.push([label, ms(cost.wall), ms(cost.busy)]);
    }
    rows.push(['raw, hand-batched', ms(rawCost.wall), ms(rawCost.busy)]);
    await using pool = new Pool({ workers: 1 });
    await pool.map(increment, [0]);
    skRetained = await retainedPerCall(3000, (i) => pool.map(increment, [i]));
    await piscina.piscina.run(0);
    piscinaRetained = await retainedPerCall(3000, (i) => piscina.piscina.run(i));
  } finally {
    await Promise.all([raw.close(), piscina.close()]);
  }

  const array = range(12_500);
  const envelope = cucumber.serialize(array);
  const serializeMs = timeEach(50, () => { cucumber.serialize(array); });
  const cloneMs = timeEach(50, () => { structuredClone(envelope); });
  const deserializeMs = timeEach(50, () => { cucumber.deserialize(structuredClone(envelope)); }) - cloneMs;
  const plainCloneMs = timeEach(50, () => { structuredClone(array); });

  console.log(`\n5. where suitkaise's time goes in 1 and 3 (${seconds(began)})\n`);
  console.log(`  chunks cut by pool.map(increment, ${TINY_ITEMS / 1000}k items), adaptive: ${sizes.length}: ${sizes.join(', ')}\n`);
  console.log(indent(table([`${TINY_ITEMS / 1000}k tiny items, ${WORKERS} workers, median of 4`, 'wall / pass', 'main thread busy / pass'], rows)));
  console.log('');
  console.log(indent(table(['12,500-number array, in-thread, median of 50', 'time'], [
    ['cucumber.serialize', ms(serializeMs)],
    ['structuredClone(serialized envelope)', ms(cloneMs)],
    ['cucumber.deserialize (after the clone)', ms(Math.max(0, deserializeMs))],
    ['structuredClone(array) (what raw pays)', ms(plainCloneMs)],
  ])));
  console.log(`\n  heap still in use after 3000 sequential single-item calls (1 worker, after a full GC): ` +
    `suitkaise ${(skRetained / 1024).toFixed(2)} KiB per call, Piscina ${(piscinaRetained / 1024).toFixed(2)} KiB per call`);
}

// ── the run ─────────────────────────────────────────────────────────────────────────────────

export async function poolBench(): Promise<void> {
  const began = performance.now();
  const cpuList = cpus();
  console.log(
    `\n── Pool ── node ${process.version}, ${process.platform} ${process.arch}, ${cpuList.length} × ${cpuList[0]?.model.trim() ?? 'unknown cpu'}, ` +
      `load ${loadavg().map((load) => load.toFixed(2)).join(' ')}`,
  );
  const parts = new Set((process.env.BENCH_POOL_PARTS ?? '1,2,3,4,5').split(',').map((part) => part.trim()));
  if (parts.has('1')) await throughput();
  if (parts.has('2')) await scaling();
  if (parts.has('3')) await latency();
  if (parts.has('4')) await browser();
  if (parts.has('5')) await breakdown();
  console.log(`\nPool part: ${((performance.now() - began) / 1000).toFixed(1)} s`);
}
