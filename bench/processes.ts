// The @sk() process classes `npm run bench` runs (bench/index.ts), and the tell/listen burst rows
// (`node bench/run.mjs processes` runs them alone; bench/index.ts can call tellBurstBench()).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker, isMainThread, type MessagePort } from 'node:worker_threads';
import { sk, Skprocess } from '@suitkaise/core';
import { interleaved, stats, type Stats } from './stats.ts';

// One run, one small result (start → result) and the timeout-lateness probe: the same classes as the
// Chromium bench's, declared once there.
export { LateProbe, OneRun } from './browser-start/processes.ts';

/** The value that ends an {@link Echo}. */
export const ECHO_STOP = 'stop';

/** Tells back whatever the parent tells it, one message per run, until told {@link ECHO_STOP}. */
@sk()
export class Echo extends Skprocess<number> {
  echoed = 0;
  constructor() {
    super();
    this.processConfig.runs = null;
  }
  async __run__() {
    const message = await this.listen();
    if (message === ECHO_STOP) {
      this.stop();
      return;
    }
    this.tell(message);
    this.echoed += 1;
  }
  __result__() {
    return this.echoed;
  }
}

/** Echoes every message back from one long run (a `listen()` loop), until told {@link ECHO_STOP}. */
@sk()
export class LoopEcho extends Skprocess<number> {
  echoed = 0;
  constructor() {
    super();
    this.processConfig.runs = 1;
  }
  async __run__() {
    for (;;) {
      const message = await this.listen();
      if (message === ECHO_STOP) return;
      this.tell(message);
      this.echoed += 1;
    }
  }
  __result__() {
    return this.echoed;
  }
}

// ── tell/listen bursts against a raw MessagePort ────────────────────────────────────────────

function positiveInt(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

/** Messages per burst, and timed bursts per side (after one warm-up burst each). */
const BURST = positiveInt('BENCH_BURST', 100_000);
const BURST_ROUNDS = positiveInt('BENCH_BURST_ROUNDS', 6);

/** One side of a burst: `count` messages sent without waiting, each echoed back, all read in order. */
interface Burster {
  burst(count: number, payload: (i: number) => unknown, indexOf: (message: unknown) => unknown): Promise<void>;
  close(): Promise<void>;
}

/** The suitkaise side: `echo` tells back what it is told, either from one `listen()` loop or one message per run. */
function processBurster(echo: Echo | LoopEcho): Burster {
  echo.start();
  return {
    async burst(count, payload, indexOf) {
      for (let i = 0; i < count; i++) echo.tell(payload(i));
      for (let i = 0; i < count; i++) {
        const back = await echo.listen();
        if (indexOf(back) !== i) throw new Error(`${echo.constructor.name} answered ${JSON.stringify(back)} as message ${i}`);
      }
    },
    async close() {
      echo.tell(ECHO_STOP);
      await echo.result();
    },
  };
}

function rawBurster(): Burster {
  const benchDir = process.env.SUITKAISE_BENCH_DIR ?? dirname(fileURLToPath(import.meta.url));
  const worker = new Worker(join(benchDir, 'raw-worker.mjs'), { workerData: { mode: 'port' } });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const { port1, port2 } = new MessageChannel();
  worker.postMessage(port2, [port2 as MessagePort]);
  let onMessage: (message: unknown) => void = () => {};
  port1.on('message', (message: unknown) => onMessage(message));
  return {
    burst(count, payload, indexOf) {
      return new Promise((resolve, reject) => {
        let next = 0;
        onMessage = (message) => {
          if (indexOf(message) !== next) reject(new Error(`raw echo answered ${JSON.stringify(message)} as message ${next}`));
          next += 1;
          if (next === count) resolve();
        };
        for (let i = 0; i < count; i++) port1.postMessage(payload(i));
      });
    },
    async close() {
      port1.postMessage(ECHO_STOP);
      port1.close();
      await worker.terminate();
      await exited;
    },
  };
}

interface Payload {
  readonly name: string;
  readonly make: (i: number) => unknown;
  readonly indexOf: (message: unknown) => unknown;
}

const PAYLOADS: readonly Payload[] = [
  { name: 'number', make: (i) => i, indexOf: (message) => message },
  { name: 'small object', make: (i) => ({ i, tag: 'item' }), indexOf: (message) => (message as { i?: unknown } | undefined)?.i },
];

async function timedBurst(side: Burster, payload: Payload): Promise<number> {
  const began = performance.now();
  await side.burst(BURST, payload.make, payload.indexOf);
  return performance.now() - began;
}

/**
 * Bursts: the parent tells {@link BURST} messages without waiting, a worker tells each back, the
 * parent reads them all in order; against a raw worker_threads Worker echoing on a MessagePort.
 * Rounds alternate A B / B A. Returns the rows (ms per burst).
 */
export async function tellBurstBench(): Promise<Array<{ name: string; sk: Stats; raw: Stats; goal: number }>> {
  const rows: Array<{ name: string; sk: Stats; raw: Stats; goal: number }> = [];
  const raw = rawBurster();
  const echoes = [
    { name: 'a listen() loop in one run', make: () => new LoopEcho() },
    { name: 'one message per run', make: () => new Echo() },
  ];
  for (const echo of echoes) {
    const sk = processBurster(echo.make());
    for (const payload of PAYLOADS) {
      await timedBurst(sk, payload);
      await timedBurst(raw, payload);
      const [skTimes, rawTimes] = await interleaved(BURST_ROUNDS, () => timedBurst(sk, payload), () => timedBurst(raw, payload));
      rows.push({ name: `${payload.name}, ${echo.name}`, sk: stats(skTimes), raw: stats(rawTimes), goal: 1.3 });
    }
    await sk.close();
  }
  await raw.close();
  return rows;
}

/** The burst rows as a table (ms per burst; ratio of medians). */
export function burstTable(rows: Awaited<ReturnType<typeof tellBurstBench>>): string {
  const lines = rows.map((row) => {
    const ratio = row.sk.median / row.raw.median;
    return `${row.name.padEnd(42)}  suitkaise ${row.sk.median.toFixed(1).padStart(7)} ms (p90 ${row.sk.p90.toFixed(1)})  ` +
      `raw ${row.raw.median.toFixed(1).padStart(7)} ms (p90 ${row.raw.p90.toFixed(1)})  ${ratio.toFixed(2)}×  goal ≤ ${row.goal}×  ${ratio <= row.goal ? 'met' : 'not met'}`;
  });
  return [
    `${BURST.toLocaleString('en')} tells there and back, all told before the first is read; ${BURST_ROUNDS} bursts per side after one warm-up, A B / B A.`,
    'raw: a worker_threads Worker echoing on a MessagePort. ms per burst; ratio of medians.',
    ...lines,
  ].join('\n');
}

if (isMainThread && process.argv[2] === 'processes') console.log(burstTable(await tellBurstBench()));
