/**
 * The page of the Chromium start → result bench (bench/frontend.ts): `new OneRun().run()` against
 * a raw module Web Worker's whole life (spawn, one message there and back, terminate).
 */
import { CountTo } from './second.ts';
import { LateProbe, OneRun } from './processes.ts';

/** The side one timed pass runs. */
export type StartSide = 'sk' | 'raw';

/** What the page exposes on `window` for bench/frontend.ts. */
export interface StartBenchApi {
  __startReady: boolean;
  /** One timed lifecycle of `side`: milliseconds. */
  __startPass(side: StartSide): Promise<number>;
  /** How long after its 20 ms deadline a section timeout rejected `result()`: milliseconds. */
  __latePass(): Promise<number>;
}

async function raw(): Promise<number> {
  const worker = new Worker(new URL('./raw-worker.ts', import.meta.url), { type: 'module' });
  const reply = await new Promise<number>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<number>) => resolve(event.data);
    worker.onerror = (event) => reject(new Error(`raw worker: ${event.message}`));
    worker.postMessage(42);
  });
  worker.terminate();
  return reply;
}

const api = window as unknown as StartBenchApi;
api.__startPass = async (side) => {
  const began = performance.now();
  const value = side === 'sk' ? await new OneRun().run() : await raw();
  const elapsed = performance.now() - began;
  if (value !== 42) throw new Error(`${side}: got ${value}`);
  return elapsed;
};
api.__latePass = async () => {
  const probe = new LateProbe(20);
  probe.start();
  const started = (await probe.listen(10_000)) as number;
  await probe.result().catch(() => undefined);
  return performance.timeOrigin + performance.now() - started - 20;
};
// The second class is in the build (its chunk is measured), and it works.
void new CountTo(3).run().then((count) => {
  if (count !== 3) throw new Error(`CountTo: ${count}`);
  api.__startReady = true;
});
