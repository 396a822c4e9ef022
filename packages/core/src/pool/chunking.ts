/**
 * How many items go to a worker at once: the chunk-size policy, a pure function.
 * Tiny items are batched so that the message cost is spread over many; slow items go one by one
 * so that every worker stays busy to the end.
 */

/** A chunk should take about this long in a worker. */
export const TARGET_CHUNK_MS = 4;

/** Never more items than this in one chunk (bounds the memory of one message). */
export const MAX_CHUNK = 8192;

/** The first chunk, timed to size the next ones. */
const FIRST_CHUNK = 1;

/** What the policy knows when the next chunk is cut. */
export interface ChunkInputs {
  /** The caller's `chunkSize`, if given: it wins. */
  readonly requested: number | undefined;
  /** Measured milliseconds per item in the workers so far, if any chunk has finished. */
  readonly msPerItem: number | undefined;
}

/**
 * The size of the next chunk (at least 1): one item until one has been timed, then as many as take
 * {@link TARGET_CHUNK_MS} in a worker. A worker that finishes last is then at most one chunk's
 * time behind the others, so chunks do not shrink towards the end (that only adds round trips).
 */
export function nextChunkSize({ requested, msPerItem }: ChunkInputs): number {
  if (requested !== undefined) return requested;
  if (msPerItem === undefined) return FIRST_CHUNK;
  return msPerItem <= 0 ? MAX_CHUNK : Math.max(1, Math.min(MAX_CHUNK, Math.floor(TARGET_CHUNK_MS / msPerItem)));
}

/**
 * Milliseconds per item over every chunk timed so far (`elapsed` and `items` are totals): large
 * chunks weigh most, so the fixed cost of the first, small ones fades at once.
 */
export function meanMsPerItem(elapsed: number, items: number): number | undefined {
  return items > 0 ? elapsed / items : undefined;
}
