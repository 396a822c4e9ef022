// The chunk-size policy is a pure function: a table of inputs and the size it must give.
import { describe, expect, it } from 'vitest';
import { MAX_CHUNK, TARGET_CHUNK_MS, nextChunkSize, updatedMsPerItem, type ChunkInputs } from '../src/pool/chunking.ts';

const cases: Array<[string, ChunkInputs, number]> = [
  ['the caller’s chunkSize wins', { requested: 7, remaining: 100_000, workers: 2, msPerItem: 0.001 }, 7],
  ['nothing measured yet: one item, to measure', { requested: undefined, remaining: 100_000, workers: 2, msPerItem: undefined }, 1],
  ['nothing measured, unsized input: one item', { requested: undefined, remaining: undefined, workers: 2, msPerItem: undefined }, 1],
  ['tiny items: as many as fill the target time, within a fair share', { requested: undefined, remaining: 100_000, workers: 2, msPerItem: 0.001 }, TARGET_CHUNK_MS / 0.001],
  ['tiny items, fewer left: four chunks per worker of what is left', { requested: undefined, remaining: 800, workers: 2, msPerItem: 0.001 }, 100],
  ['tiny items, unsized input: capped at MAX_CHUNK', { requested: undefined, remaining: undefined, workers: 2, msPerItem: 0.00001 }, MAX_CHUNK],
  ['slow items (20 ms): one at a time', { requested: undefined, remaining: 200, workers: 2, msPerItem: 20 }, 1],
  ['1 ms items: four per chunk', { requested: undefined, remaining: 10_000, workers: 4, msPerItem: 1 }, 4],
  ['the last item: one', { requested: undefined, remaining: 1, workers: 8, msPerItem: 0.001 }, 1],
  ['items measured at 0 ms: the fair share', { requested: undefined, remaining: 80, workers: 2, msPerItem: 0 }, 10],
];

describe('nextChunkSize', () => {
  it.each(cases)('%s', (_name, inputs, expected) => {
    expect(nextChunkSize(inputs)).toBe(expected);
  });
});

describe('updatedMsPerItem', () => {
  it.each([
    ['first chunk: its own mean', undefined, 10, 5, 2],
    ['then a running mean', 2, 40, 10, 3],
    ['an empty chunk changes nothing', 2, 0, 0, 2],
  ] as Array<[string, number | undefined, number, number, number]>)('%s', (_name, previous, elapsed, items, expected) => {
    expect(updatedMsPerItem(previous, elapsed, items)).toBe(expected);
  });
});
