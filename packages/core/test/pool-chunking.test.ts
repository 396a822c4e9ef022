// The chunk-size policy is a pure function: a table of inputs and the size it must give.
import { describe, expect, it } from 'vitest';
import { MAX_CHUNK, TARGET_CHUNK_MS, meanMsPerItem, nextChunkSize, type ChunkInputs } from '../src/pool/chunking.ts';

const cases: Array<[string, ChunkInputs, number]> = [
  ['the caller’s chunkSize wins', { requested: 7, msPerItem: 0.001 }, 7],
  ['nothing timed yet: one item, to time it', { requested: undefined, msPerItem: undefined }, 1],
  ['tiny items: as many as fill the target time', { requested: undefined, msPerItem: 0.001 }, Math.floor(TARGET_CHUNK_MS / 0.001)],
  ['tinier items: capped at MAX_CHUNK', { requested: undefined, msPerItem: 0.00001 }, MAX_CHUNK],
  ['items timed at 0 ms: MAX_CHUNK', { requested: undefined, msPerItem: 0 }, MAX_CHUNK],
  ['1 ms items: four per chunk', { requested: undefined, msPerItem: 1 }, 4],
  ['slow items (20 ms): one at a time', { requested: undefined, msPerItem: 20 }, 1],
];

describe('nextChunkSize', () => {
  it.each(cases)('%s', (_name, inputs, expected) => {
    expect(nextChunkSize(inputs)).toBe(expected);
  });
});

describe('meanMsPerItem', () => {
  it.each([
    ['nothing timed', 0, 0, undefined],
    ['one chunk', 10, 5, 2],
    ['totals: the large chunk weighs most', 0.05 + 4, 1 + 4000, 4.05 / 4001],
  ] as Array<[string, number, number, number | undefined]>)('%s', (_name, elapsed, items, expected) => {
    expect(meanMsPerItem(elapsed, items)).toBe(expected);
  });
});
