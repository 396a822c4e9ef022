// The sk() functions the Pool part of `npm run bench` maps (bench/pool.ts).
import { sk } from '@suitkaise/core';

/** The tiniest task. */
export const increment = sk((x: number) => x + 1);

/** Spins for `ms` milliseconds of CPU (a busy loop on performance.now()), then returns `ms`. */
export const busy = sk((ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* spin */ }
  return ms;
});
