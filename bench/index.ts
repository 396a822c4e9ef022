/**
 * `npm run bench`: suitkaise against raw worker_threads, side by side in one run (issue #2);
 * then cucumber against raw postMessage and the serializer libraries (issue #3, bench/serializer.ts);
 * then Pool against Piscina, tinypool, workerpool and hand-batched raw workers (bench/pool.ts).
 *
 *   1. start → result: `new OneRun().run()` (runs = 1) against `new Worker(file)` + one
 *      postMessage round trip + `terminate()`: the whole worker lifecycle each.
 *   2. tell → listen: one round trip on a running `Echo` against a raw worker echoing on a
 *      MessageChannel port.
 *
 * Rounds alternate A/B, B/A (so drift and noise hit both sides alike); warm-up rounds are
 * discarded. Knobs: BENCH_ROUNDS (lifecycles per side, default 60), BENCH_ROUNDTRIPS (round
 * trips per side, default 2000), BENCH_ONLY (`processes`, `serializer` or `pool`: run only that part).
 * Run through bench/run.mjs, which applies the transform.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { ECHO_STOP, Echo, LateProbe, OneRun, burstTable, tellBurstBench } from './processes.ts';
import { frontendBench } from './frontend.ts';
import { shareBench } from './share.ts';
import { poolBench } from './pool.ts';
import { serializerBench } from './serializer.ts';
import { startupBench } from './startup.ts';
import { interleaved, stats, type Stats } from './stats.ts';

const benchDir = process.env.SUITKAISE_BENCH_DIR ?? dirname(fileURLToPath(import.meta.url));
const rawWorkerFile = join(benchDir, 'raw-worker.mjs');

function positiveInt(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

const LIFECYCLE_WARMUP = 5;
const LIFECYCLE_ROUNDS = positiveInt('BENCH_ROUNDS', 60);
const ROUNDTRIP_WARMUP = 300;
const ROUNDTRIPS = positiveInt('BENCH_ROUNDTRIPS', 2000);
/** Round trips per interleaved block. */
const BLOCK = 100;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Threads of this process (Linux), to wait until a terminated worker's thread is gone. */
function threadCount(): number | null {
  try {
    const match = /^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/**
 * Untimed, after each lifecycle: wait until the worker it terminated has really exited (its
 * thread is gone), so that one round's teardown does not run into the next round's timing.
 * The same wait for both sides; without /proc, a fixed pause.
 */
async function settle(baseline: number | null): Promise<void> {
  if (baseline === null) return sleep(20);
  const until = performance.now() + 1000;
  for (;;) {
    const now = threadCount();
    if (now === null || now <= baseline || performance.now() > until) break;
    await sleep(1);
  }
  await new Promise((resolve) => setImmediate(resolve));
}

async function timed(op: () => Promise<void>): Promise<number> {
  const baseline = threadCount();
  const began = performance.now();
  await op();
  const elapsed = performance.now() - began;
  await settle(baseline);
  return elapsed;
}

// ── side A and B of benchmark 1 ─────────────────────────────────────────────────────────────

async function skLifecycle(): Promise<void> {
  const result = await new OneRun().run();
  if (result !== 42) throw new Error(`OneRun returned ${String(result)}`);
}

function rawLifecycle(): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(rawWorkerFile, { workerData: { mode: 'once' } });
    worker.once('error', reject);
    worker.once('message', (message: unknown) => {
      if (message !== 42) reject(new Error(`raw worker answered ${String(message)}`));
      void worker.terminate();
      resolve();
    });
    worker.postMessage(42);
  });
}

// ── side A and B of benchmark 2 ─────────────────────────────────────────────────────────────

interface Echoer {
  roundTrip(value: number): Promise<void>;
  close(): Promise<void>;
}

async function skEchoer(): Promise<Echoer> {
  const echo = new Echo();
  echo.start();
  return {
    async roundTrip(value) {
      echo.tell(value);
      const back = await echo.listen();
      if (back !== value) throw new Error(`Echo answered ${String(back)} to ${value}`);
    },
    async close() {
      echo.tell(ECHO_STOP);
      await echo.result();
    },
  };
}

async function rawEchoer(): Promise<Echoer> {
  const worker = new Worker(rawWorkerFile, { workerData: { mode: 'port' } });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const { port1, port2 } = new MessageChannel();
  worker.postMessage(port2, [port2 as MessagePort]);
  let pending: ((value: unknown) => void) | null = null;
  port1.on('message', (message: unknown) => {
    const reader = pending;
    pending = null;
    reader?.(message);
  });
  return {
    async roundTrip(value) {
      const reply = new Promise<unknown>((resolve) => { pending = resolve; });
      port1.postMessage(value);
      const back = await reply;
      if (back !== value) throw new Error(`raw echo answered ${String(back)} to ${value}`);
    },
    async close() {
      port1.postMessage(ECHO_STOP);
      port1.close();
      await worker.terminate();
      await exited;
    },
  };
}

// ── statistics and report ───────────────────────────────────────────────────────────────────


interface Row { name: string; unit: 'ms' | 'µs'; sk: Stats; raw: Stats; goal: number }

function format(ms: number, unit: Row['unit']): string {
  return unit === 'ms' ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(1)} µs`;
}

function table(rows: readonly Row[]): string {
  const header = ['benchmark', 'suitkaise median', 'p90', 'raw median', 'p90', 'ratio (medians)', 'goal', ''];
  const body = rows.map((row) => {
    const ratio = row.sk.median / row.raw.median;
    return [
      row.name,
      format(row.sk.median, row.unit),
      format(row.sk.p90, row.unit),
      format(row.raw.median, row.unit),
      format(row.raw.p90, row.unit),
      `${ratio.toFixed(2)}×`,
      `≤ ${row.goal}×`,
      ratio <= row.goal ? 'met' : 'not met',
    ];
  });
  const widths = header.map((_, column) => Math.max(...[header, ...body].map((cells) => cells[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ').trimEnd();
  return [line(header), widths.map((width) => '─'.repeat(width)).join('  '), ...body.map(line)].join('\n');
}

// ── the run ─────────────────────────────────────────────────────────────────────────────────

async function roundTrips(echoer: Echoer, count: number, from: number): Promise<number[]> {
  const samples = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    const began = performance.now();
    await echoer.roundTrip(from + i);
    samples[i] = performance.now() - began;
  }
  return samples;
}

export async function main(): Promise<void> {
  const began = performance.now();
  const cpuList = cpus();
  console.log(
    `machine: node ${process.version}, ${process.platform} ${process.arch}, ${cpuList.length} × ${cpuList[0]?.model.trim() ?? 'unknown cpu'}, ` +
      `load ${loadavg().map((load) => load.toFixed(2)).join(' ')}`,
  );

  // The first start builds the worker bundle (esbuild + transform); report it, do not count it.
  const cold = await timed(skLifecycle);
  const rawCold = await timed(rawLifecycle);
  console.log(`first start → result (builds the worker bundle): suitkaise ${format(cold, 'ms')}, raw ${format(rawCold, 'ms')}; not counted`);

  await interleaved(LIFECYCLE_WARMUP, () => timed(skLifecycle), () => timed(rawLifecycle));
  const [skLife, rawLife] = await interleaved(LIFECYCLE_ROUNDS, () => timed(skLifecycle), () => timed(rawLifecycle));

  const sk = await skEchoer();
  const raw = await rawEchoer();
  await roundTrips(sk, ROUNDTRIP_WARMUP, 0);
  await roundTrips(raw, ROUNDTRIP_WARMUP, 0);
  const skTrips: number[] = [];
  const rawTrips: number[] = [];
  const blocks = Math.ceil(ROUNDTRIPS / BLOCK);
  await interleaved(
    blocks,
    async () => { skTrips.push(...(await roundTrips(sk, BLOCK, ROUNDTRIP_WARMUP + skTrips.length))); return 0; },
    async () => { rawTrips.push(...(await roundTrips(raw, BLOCK, ROUNDTRIP_WARMUP + rawTrips.length))); return 0; },
  );
  await sk.close();
  await raw.close();

  console.log(
    `\n${LIFECYCLE_ROUNDS} lifecycles and ${skTrips.length} round trips per side after ${LIFECYCLE_WARMUP} + ${ROUNDTRIP_WARMUP} warm-up; ` +
      `rounds alternate A B / B A\n`,
  );
  console.log(table([
    { name: 'start → result (runs = 1)', unit: 'ms', sk: stats(skLife), raw: stats(rawLife), goal: 1.3 },
    { name: 'tell → listen round trip', unit: 'µs', sk: stats(skTrips), raw: stats(rawTrips), goal: 1.5 },
  ]));
  console.log(
    '\nraw baselines: new Worker(file) + one postMessage round trip + terminate(); one postMessage round trip on a MessageChannel port.\n' +
      'ratio = suitkaise median / raw median.',
  );
  console.log(`\n${burstTable(await tellBurstBench())}`);
  await timeoutLateness();
  console.log(`\ntotal ${((performance.now() - began) / 1000).toFixed(1)} s`);
}

/** How long after its deadline a section timeout ends the process (issue #11: goal ≤ 15 ms in Node). */
async function timeoutLateness(): Promise<void> {
  const LIMIT = 20;
  const late: number[] = [];
  for (let i = 0; i < 12; i += 1) {
    const probe = new LateProbe(LIMIT);
    probe.start();
    const started = (await probe.listen(10_000)) as number | undefined;
    await probe.result().catch(() => undefined);
    if (typeof started === 'number' && i >= 2) late.push(performance.timeOrigin + performance.now() - started - LIMIT);
  }
  const { median, p90 } = stats(late);
  console.log(`
section timeout (${LIMIT} ms, while (true) {}) rejects result() this long after its deadline: median ${median.toFixed(1)} ms, p90 ${p90.toFixed(1)} ms (goal ≤ 15 ms: ${median <= 15 ? 'met' : 'not met'})`);
}

const only = process.env.BENCH_ONLY;
if (only && !['processes', 'serializer', 'pool', 'frontend', 'share', 'startup'].includes(only)) throw new Error(`BENCH_ONLY=${only}: expected one of processes, serializer, pool, frontend, share, startup`);
if (!only || only === 'processes') await main();
// Part 2, cucumber against raw postMessage and the serializer libraries (issue #3): bench/serializer.ts.
if (!only || only === 'serializer') await serializerBench();
// Part 3, Pool against Piscina, tinypool, workerpool and hand-batched raw workers: bench/pool.ts.
if (!only || only === 'pool') await poolBench();
// Part 4, what a browser app pays: install size, worker bytes, start → result in Chromium (issue #8): bench/frontend.ts.
if (!only || only === 'frontend') await frontendBench();
// Part 5, a Share under load against a message-passing coordinator and raw Atomics (issue #11): bench/share.ts.
if (!only || only === 'share') await shareBench();
// Part 6, Node start-up with the register hook against the suitkaise build output, and suitkaise build against tsc (issue #8): bench/startup.ts.
if (!only || only === 'startup') await startupBench();
