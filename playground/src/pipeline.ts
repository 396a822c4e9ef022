/**
 * The Pipe panel's pipeline: producer process → transformer process → page, each link a
 * `Pipe.pair()`. A pair's anchor stays in the thread that made it and its point moves, so:
 *
 *   - the page makes `[toPage, fromTransformer]` and gives the point to the `Transformer`;
 *   - the `Transformer` makes `[fromProducer, toTransformer]` in its worker, keeps the anchor and
 *     tells the point to the page, which passes it on to the `Producer`.
 *
 * The producer then talks to the transformer directly, worker to worker; the page only sees
 * what comes out of the transformer.
 */
import { Pipe, sk, Skprocess } from '@suitkaise/core';

/** What the producer sends: a number, or the end. */
export type Produced = { n: number; value: number } | { end: true; count: number };

/** What the transformer sends on: a number and what it found out about it, or the end. */
export type Transformed =
  | { n: number; value: number; squared: number; prime: boolean; by: string }
  | { end: true; count: number };

/** Whether `n` is prime (trial division: the numbers are small). */
export function isPrime(n: number): boolean {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d += 1) if (n % d === 0) return false;
  return true;
}

/** Sends `count` numbers down its pipe, one per run, `delayMs` apart, then the end marker. */
@sk()
export class Producer extends Skprocess<number> {
  constructor(private readonly out: Pipe, private readonly count: number, private readonly delayMs: number) {
    super();
    this.processConfig.runs = count;
  }

  async __run__() {
    await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    // A deterministic sequence the page can check: n² mod 1009, plus n.
    const n = this.currentRun;
    this.out.send({ n, value: ((n * n) % 1009) + n } satisfies Produced);
  }

  __onfinish__() {
    this.out.send({ end: true, count: this.count } satisfies Produced);
  }

  __result__() {
    return this.count;
  }
}

/** Reads the producer's pipe, transforms each number, and sends the result down the page's pipe. */
@sk()
export class Transformer extends Skprocess<number> {
  /** The anchor of the producer → transformer pair, made in this worker at the first run. */
  private input: Pipe | null = null;
  forwarded = 0;

  constructor(private readonly out: Pipe) {
    super();
    this.processConfig.runs = null; // until the end marker
  }

  async __prerun__() {
    if (this.input === null) {
      const [anchor, point] = Pipe.pair();
      this.input = anchor;
      this.tell(point); // the page hands it to the producer
    }
  }

  async __run__() {
    const got = (await this.input!.recv()) as Produced;
    if ('end' in got) {
      this.out.send(got);
      this.stop();
      return;
    }
    this.forwarded += 1;
    this.out.send({ ...got, squared: got.value * got.value, prime: isPrime(got.value), by: 'transformer' } satisfies Transformed);
  }

  __onfinish__() {
    this.input?.close();
  }

  __result__() {
    return this.forwarded;
  }
}
