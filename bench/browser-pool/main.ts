/**
 * The page of the Chromium Pool bench (bench/pool.ts, benchmark 4): a suitkaise Pool against
 * hand-batched raw module Web Workers. bench/pool.ts loads it in headless Chromium, waits for
 * `window.__benchReady`, calls `__benchSetup(options)`, then `__benchPass('sk' | 'raw')` once per
 * timed pass (interleaved with the other pages'), then `__benchTeardown()`.
 */
import { Pool } from '@suitkaise/core';
import { increment } from './functions.ts';

export interface BrowserBenchOptions {
  /** Items per pass. */
  items: number;
  workers: number;
}

/** What {@link setup} reports: the cold first map of each side, and the page's isolation. */
export interface BrowserBenchSetup {
  /** The first map of each side (1000 items), worker start-up included. */
  coldSk: number;
  coldRaw: number;
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
}

/** The side one timed pass runs. */
export type BrowserBenchSide = 'sk' | 'raw';

/** What the page exposes on `window` for bench/pool.ts. */
export interface BrowserBenchApi {
  __benchReady: boolean;
  /** Start both sides and warm them (a small map, then one untimed full pass each). */
  __benchSetup(options: BrowserBenchOptions): Promise<BrowserBenchSetup>;
  /** One timed, checked pass of `side`: milliseconds. */
  __benchPass(side: BrowserBenchSide): Promise<number>;
  __benchTeardown(): Promise<void>;
}

interface Side {
  run(items: readonly number[]): Promise<number[]>;
  close(): Promise<void>;
}

function rawSide(workers: number): Side {
  const all = Array.from({ length: workers }, () => new Worker(new URL('./raw-worker.ts', import.meta.url), { type: 'module' }));
  const send = (worker: Worker, batch: readonly number[]) => new Promise<number[]>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<number[]>) => resolve(event.data);
    worker.onerror = (event) => reject(new Error(`raw worker: ${event.message}`));
    worker.postMessage(batch);
  });
  return {
    async run(items) {
      const per = Math.ceil(items.length / workers);
      const parts = await Promise.all(all.map((worker, w) => send(worker, items.slice(w * per, (w + 1) * per))));
      const results = new Array<number>(items.length);
      let at = 0;
      for (const part of parts) for (let i = 0; i < part.length; i++) results[at++] = part[i]!;
      return results;
    },
    async close() {
      for (const worker of all) worker.terminate();
    },
  };
}

function skSide(workers: number): Side {
  const pool = new Pool({ workers });
  return { run: (items) => pool.map(increment, items), close: () => pool.close() };
}

function check(side: string, items: readonly number[], results: readonly number[]): void {
  if (results.length !== items.length) throw new Error(`${side}: ${results.length} results for ${items.length} items`);
  for (let i = 0; i < items.length; i++) {
    if (results[i] !== items[i]! + 1) throw new Error(`${side}: result ${i} is ${String(results[i])}`);
  }
}

async function timed(name: string, side: Side, items: readonly number[]): Promise<number> {
  const began = performance.now();
  const results = await side.run(items);
  const elapsed = performance.now() - began;
  check(name, items, results);
  return elapsed;
}

let running: { sides: Record<BrowserBenchSide, Side>; items: number[] } | null = null;

async function setup(options: BrowserBenchOptions): Promise<BrowserBenchSetup> {
  if (running) throw new Error('already set up');
  const items = Array.from({ length: options.items }, (_, i) => i);
  const warm = Array.from({ length: 1000 }, (_, i) => i);
  const sides = { sk: skSide(options.workers), raw: rawSide(options.workers) };
  running = { sides, items };
  const coldSk = await timed('suitkaise', sides.sk, warm);
  const coldRaw = await timed('raw', sides.raw, warm);
  await timed('suitkaise', sides.sk, items);
  await timed('raw', sides.raw, items);
  return { coldSk, coldRaw, crossOriginIsolated: globalThis.crossOriginIsolated, hardwareConcurrency: navigator.hardwareConcurrency };
}

async function pass(side: BrowserBenchSide): Promise<number> {
  if (!running) throw new Error('not set up');
  return timed(side === 'sk' ? 'suitkaise' : 'raw', running.sides[side], running.items);
}

async function teardown(): Promise<void> {
  const sides = running?.sides;
  running = null;
  if (sides) await Promise.all([sides.sk.close(), sides.raw.close()]);
}

const api = window as unknown as BrowserBenchApi;
api.__benchSetup = setup;
api.__benchPass = pass;
api.__benchTeardown = teardown;
api.__benchReady = true;
