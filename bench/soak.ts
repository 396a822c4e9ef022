/**
 * `npm run soak`: long runs that must hold flat heap and handles (issue #11).
 *   1. Pool: SOAK_TASKS tiny tasks (default 1,000,000) through one pool of 2 workers, in maps of
 *      10,000 items and, every tenth map, 100 single-item calls.
 *   2. Lifecycles: SOAK_LIFECYCLES processes (default 10,000) started, run to their result and
 *      ended, 4 at a time; and as many Skprocess items through one pool.
 * Heap (after a full GC) and the process's active handles are sampled at each tenth; the run
 * fails (exit code 1) when the heap grows past the allowance or handles do not come back.
 * Run through bench/run.mjs (`node bench/run.mjs soak`), which applies the transform.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Pool } from '@suitkaise/core';
import { increment } from './pool-functions.ts';
import { OneRun } from './processes.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function positiveInt(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

const TASKS = positiveInt('SOAK_TASKS', 1_000_000);
const LIFECYCLES = positiveInt('SOAK_LIFECYCLES', 10_000);
const MAP_SIZE = 10_000;
/** Heap a soak may keep beyond its baseline: caches and JIT state, not a per-task leak. */
const HEAP_ALLOWANCE_MB = 8;

interface Sample { done: number; heapMb: number; handles: number }

async function sample(done: number): Promise<Sample> {
  // Let terminated workers' handles close before counting.
  await new Promise((resolve) => setTimeout(resolve, 50));
  gc();
  gc();
  return { done, heapMb: process.memoryUsage().heapUsed / 2 ** 20, handles: process.getActiveResourcesInfo().length };
}

function table(title: string, unit: string, samples: Sample[]): boolean {
  const [base] = samples;
  const last = samples.at(-1)!;
  const growth = last.heapMb - base!.heapMb;
  const perUnit = (growth * 2 ** 20) / Math.max(1, last.done - base!.done);
  console.log(`\n${title}`);
  console.log(`${unit.padStart(12)}  ${'heap MB'.padStart(9)}  ${'handles'.padStart(7)}`);
  for (const row of samples) console.log(`${row.done.toLocaleString('en').padStart(12)}  ${row.heapMb.toFixed(2).padStart(9)}  ${String(row.handles).padStart(7)}`);
  const flatHeap = growth <= HEAP_ALLOWANCE_MB;
  const flatHandles = last.handles <= base!.handles;
  console.log(`heap ${growth >= 0 ? '+' : ''}${growth.toFixed(2)} MB (${perUnit.toFixed(1)} B per ${unit.replace(/s$/, '')}; allowance ${HEAP_ALLOWANCE_MB} MB): ${flatHeap ? 'flat' : 'GROWS'}; ` +
    `handles ${base!.handles} → ${last.handles}: ${flatHandles ? 'flat' : 'LEAK'}`);
  return flatHeap && flatHandles;
}

async function poolSoak(): Promise<boolean> {
  const pool = new Pool({ workers: 2 });
  const items = Array.from({ length: MAP_SIZE }, (_, i) => i);
  await pool.map(increment, items); // warm-up: workers up, code compiled
  const samples = [await sample(0)];
  let done = 0;
  let maps = 0;
  while (done < TASKS) {
    const results = await pool.map(increment, items);
    if (results[MAP_SIZE - 1] !== MAP_SIZE) throw new Error(`wrong result: ${results[MAP_SIZE - 1]}`);
    done += MAP_SIZE;
    maps += 1;
    if (maps % 10 === 0) for (let i = 0; i < 100; i += 1) await pool.map(increment, [i]);
    if (done % Math.max(MAP_SIZE, Math.floor(TASKS / 10 / MAP_SIZE) * MAP_SIZE) === 0) samples.push(await sample(done));
  }
  await pool.close();
  samples.push(await sample(done));
  return table(`1. Pool: ${done.toLocaleString('en')} tiny tasks, 2 workers (last row: after close())`, 'tasks', samples);
}

async function lifecycleSoak(): Promise<boolean> {
  await new OneRun().run(); // warm-up: the worker bundle built and cached
  const samples = [await sample(0)];
  let done = 0;
  const step = Math.max(4, Math.floor(LIFECYCLES / 10));
  while (done < LIFECYCLES) {
    const batch = Math.min(4, LIFECYCLES - done);
    const results = await Promise.all(Array.from({ length: batch }, () => new OneRun().run()));
    if (results.some((value) => value !== 42)) throw new Error(`wrong result: ${results.join(',')}`);
    done += batch;
    if (done % step < batch) samples.push(await sample(done));
  }
  const own = table(`2a. ${done.toLocaleString('en')} process lifecycles, each on its own worker, 4 at a time`, 'lifecycles', samples);

  const pool = new Pool({ workers: 2 });
  await pool.map(OneRun, [undefined]);
  const pooled = [await sample(0)];
  let ran = 0;
  while (ran < LIFECYCLES) {
    const batch = Math.min(100, LIFECYCLES - ran);
    await pool.map(OneRun, Array.from({ length: batch }, () => undefined));
    ran += batch;
    if (ran % step < batch) pooled.push(await sample(ran));
  }
  await pool.close();
  pooled.push(await sample(ran));
  return table(`2b. ${ran.toLocaleString('en')} process lifecycles as Pool items, 2 workers (last row: after close())`, 'lifecycles', pooled) && own;
}

console.log(`soak: node ${process.version}, ${TASKS.toLocaleString('en')} pool tasks, ${LIFECYCLES.toLocaleString('en')} lifecycles`);
const started = performance.now();
const poolFlat = await poolSoak();
const lifecyclesFlat = await lifecycleSoak();
console.log(`\nsoak: ${((performance.now() - started) / 1000).toFixed(1)} s, ${poolFlat && lifecyclesFlat ? 'flat' : 'NOT FLAT'}`);
if (!(poolFlat && lifecyclesFlat)) process.exitCode = 1;
