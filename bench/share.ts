/**
 * `BENCH_ONLY=share npm run bench` (issue #11): a Share under load. 2 workers × OPS increments of
 * one counter, measured inside the workers (the slower worker's loop time), side by side with a
 * message-passing coordinator (each increment a round trip to the thread that owns the value, the
 * original library's design) and raw `Atomics.add` on a shared Int32Array (the floor).
 * Goals: numeric `+=` ≥ 1M ops/s and ≥ 25× the coordinator; object values ≥ 200k ops/s; exact totals.
 */
import { MessageChannel, Worker } from 'node:worker_threads';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Share } from '@suitkaise/core';
import { Incrementer, type Counters } from './share-processes.ts';
import { stats } from './stats.ts';

const benchDir = process.env.SUITKAISE_BENCH_DIR ?? dirname(fileURLToPath(import.meta.url));
const OPS = Number(process.env.BENCH_SHARE_OPS ?? 50_000);
const WORKERS = 2;
const ROUNDS = Number(process.env.BENCH_SHARE_ROUNDS ?? 5);

function rawSide(mode: 'atomics' | 'coordinator'): Promise<number> {
  const buffer = new SharedArrayBuffer(4);
  let counter = 0;
  return Promise.all(Array.from({ length: WORKERS }, () => new Promise<number>((resolve, reject) => {
    const channel = new MessageChannel();
    if (mode === 'coordinator') {
      channel.port1.on('message', () => { counter += 1; channel.port1.postMessage('ok'); });
    }
    const worker = new Worker(join(benchDir, 'share-raw-worker.mjs'), {
      workerData: { mode, ops: OPS, buffer, port: channel.port2 }, transferList: [channel.port2],
    });
    worker.once('message', (ms: number) => { resolve(ms); void worker.terminate(); channel.port1.close(); });
    worker.once('error', reject);
  }))).then((times) => {
    const total = mode === 'atomics' ? Atomics.load(new Int32Array(buffer), 0) : counter;
    if (total !== WORKERS * OPS) throw new Error(`${mode}: ${total} increments, expected ${WORKERS * OPS}`);
    return Math.max(...times);
  });
}

async function shareSide(kind: 'number' | 'object'): Promise<number> {
  const share = new Share<Counters>();
  share.counter = 0;
  share.obj = { n: 0, tag: 'bench' };
  const processes = Array.from({ length: WORKERS }, () => new Incrementer(share, OPS, kind));
  const times = await Promise.all(processes.map((process) => process.run()));
  const total = kind === 'number' ? share.counter : share.obj.n;
  if (total !== WORKERS * OPS) throw new Error(`Share (${kind}): ${total} increments, expected ${WORKERS * OPS}`);
  return Math.max(...times);
}

export async function shareBench(): Promise<void> {
  const began = performance.now();
  const sides = {
    'Share: share.counter += 1': () => shareSide('number'),
    'Share: update() of an object value': () => shareSide('object'),
    'coordinator: a round trip per increment': () => rawSide('coordinator'),
    'raw Atomics.add (floor)': () => rawSide('atomics'),
  };
  const samples = Object.fromEntries(Object.keys(sides).map((name) => [name, [] as number[]]));
  await shareSide('number'); // warm-up: worker bundle built
  for (let round = 0; round < ROUNDS; round += 1) {
    const names = Object.keys(sides);
    for (const name of round % 2 ? names.reverse() : names) samples[name]!.push(await sides[name as keyof typeof sides]());
  }
  const opsPerSecond = (name: string) => (WORKERS * OPS) / (stats(samples[name]!).median / 1000);
  const coordinator = opsPerSecond('coordinator: a round trip per increment');
  console.log(`\n── Share ── node ${process.version}: ${WORKERS} workers × ${OPS.toLocaleString('en')} increments, exact totals checked; median of ${ROUNDS} rounds; load average ${loadavg()[0]!.toFixed(1)}`);
  console.log(`   ${'side'.padEnd(42)}${'ops/s'.padStart(12)}${'× coordinator'.padStart(15)}  goal`);
  const goals: Record<string, [number, string]> = {
    'Share: share.counter += 1': [1_000_000, '≥ 1M ops/s and ≥ 25× the coordinator'],
    'Share: update() of an object value': [200_000, '≥ 200k ops/s'],
  };
  for (const name of Object.keys(sides)) {
    const rate = opsPerSecond(name);
    const goal = goals[name];
    const met = goal === undefined ? '' : `${goal[1]}: ${rate >= goal[0] && (name.includes('+=') ? rate >= 25 * coordinator : true) ? 'met' : 'not met'}`;
    console.log(`   ${name.padEnd(42)}${Math.round(rate).toLocaleString('en').padStart(12)}${`${(rate / coordinator).toFixed(1)}×`.padStart(15)}  ${met}`);
  }
  console.log(`Share part: ${((performance.now() - began) / 1000).toFixed(1)} s`);
}
