// Task functions for the Piscina and tinypool peers of the Pool bench (bench/pool.ts): both
// call the export named in `run(item, { name })`, or the default export.

/** The tiniest task. */
export function increment(x) {
  return x + 1;
}

/** Spins for `ms` milliseconds of CPU (a busy loop on performance.now()), then returns `ms`. */
export function busy(ms) {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* spin */ }
  return ms;
}

export default increment;
