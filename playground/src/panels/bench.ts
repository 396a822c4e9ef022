/**
 * The Bench panel: many tiny tasks through a `Pool` against hand-batched raw module Web Workers
 * (as bench/browser-pool does for `npm run bench`), interleaved passes, medians and the ratio.
 */
import { Pool } from '@suitkaise/core';
import { increment } from '../bench-tasks.ts';
import { $, errorText, escapeHtml, fmt, ms, nextPaint, readInt, show } from '../ui.ts';

interface Side {
  name: string;
  run(items: readonly number[]): Promise<number[]>;
  close(): Promise<void>;
}

function rawSide(workers: number): Side {
  const all = Array.from({ length: workers }, () => new Worker(new URL('../raw-worker.ts', import.meta.url), { type: 'module' }));
  const send = (worker: Worker, batch: readonly number[]) => new Promise<number[]>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<number[]>) => resolve(event.data);
    worker.onerror = (event) => reject(new Error(`raw worker: ${event.message}`));
    worker.postMessage(batch);
  });
  return {
    name: 'raw Web Workers, one batch each',
    async run(items) {
      const per = Math.ceil(items.length / workers);
      const parts = await Promise.all(all.map((worker, w) => send(worker, items.slice(w * per, (w + 1) * per))));
      return parts.flat();
    },
    async close() {
      for (const worker of all) worker.terminate();
    },
  };
}

function poolSide(workers: number): Side {
  const pool = new Pool({ workers });
  return { name: 'suitkaise Pool, pool.map', run: (items) => pool.map(increment, items), close: () => pool.close() };
}

function check(side: Side, items: readonly number[], results: readonly number[]): void {
  if (results.length !== items.length) throw new Error(`${side.name}: ${results.length} results for ${items.length} items`);
  for (let i = 0; i < items.length; i++) {
    if (results[i] !== items[i]! + 1) throw new Error(`${side.name}: result ${i} is ${String(results[i])}`);
  }
}

async function timed(side: Side, items: readonly number[]): Promise<number> {
  const began = performance.now();
  const results = await side.run(items);
  const elapsed = performance.now() - began;
  check(side, items, results); // untimed
  return elapsed;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function setupBench(): void {
  const itemsInput = $<HTMLInputElement>('bench-items');
  const passesInput = $<HTMLInputElement>('bench-passes');
  const runButton = $<HTMLButtonElement>('bench-run');
  const body = $<HTMLTableElement>('bench-table').tBodies[0]!;
  const result = $<HTMLParagraphElement>('bench-result');

  async function run(): Promise<void> {
    const count = readInt(itemsInput, 100_000);
    const passes = readInt(passesInput, 5);
    const workers = navigator.hardwareConcurrency || 2;
    const items = Array.from({ length: count }, (_, i) => i);
    const warm = Array.from({ length: 1000 }, (_, i) => i);
    runButton.disabled = true;
    body.replaceChildren();
    const sides: Side[] = [];
    try {
      show(result, 'running', `Starting ${workers} workers per side and warming up…`);
      await nextPaint();
      // Cold: making the side (its workers start) and its first 1,000 items, one side after the other.
      const cold: number[] = [];
      for (const make of [poolSide, rawSide]) {
        const began = performance.now();
        const side = make(workers);
        sides.push(side);
        check(side, warm, await side.run(warm));
        cold.push(performance.now() - began);
      }
      await timed(sides[0]!, items);
      await timed(sides[1]!, items);
      const times: number[][] = [[], []];
      for (let pass = 0; pass < passes; pass += 1) {
        show(result, 'running', `Pass ${pass + 1} of ${passes}: ${fmt.format(count)} items per side…`);
        // Alternate which side goes first, so drift hits both alike.
        const order = pass % 2 === 0 ? [0, 1] : [1, 0];
        for (const s of order) times[s]!.push(await timed(sides[s]!, items));
      }
      const medians = times.map(median);
      sides.forEach((side, s) => {
        const tr = document.createElement('tr');
        tr.dataset.side = s === 0 ? 'pool' : 'raw';
        for (const text of [side.name, `${ms.format(cold[s]!)} ms`, `${ms.format(medians[s]!)} ms`, fmt.format(Math.round(count / (medians[s]! / 1000)))]) {
          const td = document.createElement('td');
          td.textContent = text;
          tr.append(td);
        }
        body.append(tr);
      });
      const ratio = medians[0]! / medians[1]!;
      show(
        result,
        'done',
        `Pool ÷ raw: <strong data-testid="bench-ratio">${ratio.toFixed(2)}</strong> ` +
          `<span class="dim">(medians of ${passes} passes of ${fmt.format(count)} items on ${workers} workers each; every result checked)</span>`,
        ratio.toFixed(3),
      );
    } catch (error) {
      show(result, 'error', `The benchmark failed: ${escapeHtml(errorText(error))}`);
    } finally {
      await Promise.all(sides.map((side) => side.close()));
      runButton.disabled = false;
    }
  }

  runButton.addEventListener('click', () => void run());
}
