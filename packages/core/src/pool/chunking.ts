/**
 * How many items go to a worker at once: the chunk-size policy, a pure function.
 * Tiny items are batched so that the message cost is spread over many; slow items go one by one
 * so that every worker stays busy to the end.
 */

/** A chunk should take about this long in a worker. */
export const TARGET_CHUNK_MS = 4;

/** Never more items than this in one chunk (bounds the memory of one message). */
export const MAX_CHUNK = 8192;

/** For unsized inputs: the largest chunk before anything is measured. */
const FIRST_CHUNK = 1;

/** What the policy knows when the next chunk is cut. */
export interface ChunkInputs {
  /** The caller's `chunkSize`, if given: it wins. */
  readonly requested: number | undefined;
  /** Items not yet sent, if the input's size is known. */
  readonly remaining: number | undefined;
  /** The pool's worker count. */
  readonly workers: number;
  /** Measured milliseconds per item in the workers so far, if any chunk has finished. */
  readonly msPerItem: number | undefined;
}

/** The size of the next chunk (at least 1). */
export function nextChunkSize({ requested, remaining, workers, msPerItem }: ChunkInputs): number {
  if (requested !== undefined) return requested;
  // Keep at least four chunks per worker in what is left, so no worker finishes long before the others.
  const fairShare = remaining === undefined ? MAX_CHUNK : Math.max(1, Math.ceil(remaining / (workers * 4)));
  if (msPerItem === undefined) return Math.min(FIRST_CHUNK, fairShare);
  const byTime = msPerItem <= 0 ? MAX_CHUNK : Math.max(1, Math.floor(TARGET_CHUNK_MS / msPerItem));
  return Math.max(1, Math.min(byTime, fairShare, MAX_CHUNK));
}

/** Running mean of milliseconds per item, from each finished chunk's worker time. */
export function updatedMsPerItem(previous: number | undefined, elapsed: number, items: number): number | undefined {
  if (items <= 0) return previous;
  const sample = elapsed / items;
  return previous === undefined ? sample : previous * 0.5 + sample * 0.5;
}
