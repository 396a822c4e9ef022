/**
 * The demo's work: count the primes in a range by trial division. An `sk()` function, so a
 * `Pool` can run it in its workers; main.ts also calls it directly on one thread.
 */
import { sk } from '@suitkaise/core';

/** A half-open range of whole numbers, `[from, to)`. */
export type Range = [from: number, to: number];

/** Whether `n` is prime, by trial division up to √n. */
export function isPrime(n: number): boolean {
  if (n < 2) return false;
  if (n % 2 === 0) return n === 2;
  for (let d = 3; d * d <= n; d += 2) if (n % d === 0) return false;
  return true;
}

/** How many primes lie in `[from, to)`. */
export const countPrimes = sk(([from, to]: Range): number => {
  let count = 0;
  for (let n = from; n < to; n += 1) if (isPrime(n)) count += 1;
  return count;
});

/** `items` consecutive ranges of `width` numbers, starting at `start`. */
export function ranges(items: number, width: number, start: number): Range[] {
  return Array.from({ length: items }, (_, i): Range => [start + i * width, start + (i + 1) * width]);
}
