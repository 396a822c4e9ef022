/**
 * A prime counter that runs in a Web Worker: a segmented sieve of Eratosthenes,
 * one segment ("chunk") per run. The page imports `PrimeCounter` and calls
 * `start()`; the suitkaise plugin turns this module into the worker's entry.
 */
import { sk, Skprocess } from '@suitkaise/core';

/** What {@link PrimeCounter} resolves to. */
export interface PrimeCount {
  /** Primes found in `[2, below)`. */
  count: number;
  /** The largest of them, `null` when there is none. */
  largest: number | null;
  /** The end of the range actually sieved: `limit`, or less after `stop()`. */
  below: number;
}

/** What `__postrun__` tells the page after each chunk. */
export interface PrimeProgress {
  done: number;
  total: number;
}

/** The primes `p` with `p * p < limit`: all a segmented sieve below `limit` needs. */
export function basePrimes(limit: number): number[] {
  const root = Math.floor(Math.sqrt(Math.max(0, limit - 1)));
  const composite = new Uint8Array(root + 1);
  const primes: number[] = [];
  for (let i = 2; i <= root; i += 1) {
    if (composite[i]) continue;
    primes.push(i);
    for (let j = i * i; j <= root; j += i) composite[j] = 1;
  }
  return primes;
}

/** Counts the primes in `[lo, hi)`, given every prime below `sqrt(hi)`. */
export function sieveSegment(lo: number, hi: number, base: readonly number[]): { count: number; largest: number | null } {
  const composite = new Uint8Array(Math.max(0, hi - lo));
  for (const p of base) {
    if (p * p >= hi) break;
    for (let m = Math.max(p * p, Math.ceil(lo / p) * p); m < hi; m += p) composite[m - lo] = 1;
  }
  let count = 0;
  let largest: number | null = null;
  for (let n = Math.max(lo, 2); n < hi; n += 1) {
    if (composite[n - lo] === 0) {
      count += 1;
      largest = n;
    }
  }
  return { count, largest };
}

/** Splits `[0, limit)` into `chunks` segments of (nearly) equal size. */
export function chunkBounds(limit: number, chunks: number, index: number): [lo: number, hi: number] {
  const size = Math.ceil(limit / chunks);
  return [Math.min(limit, index * size), Math.min(limit, (index + 1) * size)];
}

/** Counts the primes below `limit`, one chunk per run, reporting progress after each. */
@sk()
export class PrimeCounter extends Skprocess<PrimeCount> {
  readonly limit: number;
  readonly chunks: number;
  /** Computed here in the constructor (it is small) and sent with the rest of the state. */
  readonly base: number[];
  count = 0;
  largest: number | null = null;
  below = 0;

  constructor(limit: number, chunks = 64) {
    super();
    this.limit = Math.max(0, Math.floor(limit));
    this.chunks = Math.max(1, Math.min(chunks, this.limit));
    this.base = basePrimes(this.limit);
    this.processConfig.runs = this.chunks;
  }

  __run__() {
    const [lo, hi] = chunkBounds(this.limit, this.chunks, this.currentRun);
    const found = sieveSegment(lo, hi, this.base);
    this.count += found.count;
    if (found.largest !== null) this.largest = found.largest;
    this.below = hi;
  }

  __postrun__() {
    const progress: PrimeProgress = { done: this.currentRun + 1, total: this.chunks };
    this.tell(progress);
  }

  __result__(): PrimeCount {
    return { count: this.count, largest: this.largest, below: this.below };
  }
}

/** The same work, all at once, on whatever thread calls it (the page uses it to show the difference). */
export function countPrimesBelow(limit: number, chunks = 64): PrimeCount {
  const n = Math.max(0, Math.floor(limit));
  const parts = Math.max(1, Math.min(chunks, n));
  const base = basePrimes(n);
  let count = 0;
  let largest: number | null = null;
  for (let i = 0; i < parts; i += 1) {
    const [lo, hi] = chunkBounds(n, parts, i);
    const found = sieveSegment(lo, hi, base);
    count += found.count;
    if (found.largest !== null) largest = found.largest;
  }
  return { count, largest, below: n };
}
