// Tells without shared memory: the worker reports each tell it reads in a `read` note, at once,
// instead of the control block. This file pretends isolation is off (each test
// file runs in its own context, so nothing else sees it).
import { describe, expect, it } from 'vitest';
import { MIRROR_STOP, Mirror, TellHanger } from './fixtures/messages-processes.ts';
import { TellReader } from './fixtures/processes.ts';

Object.defineProperty(globalThis, 'crossOriginIsolated', { value: false, configurable: true });

describe('tells without shared memory', () => {
  it('a burst there and back arrives all, in order', async () => {
    const mirror = new Mirror();
    mirror.start();
    const count = 20_000;
    for (let i = 0; i < count; i += 1) mirror.tell(i % 3 === 0 ? { i } : i);
    let wrong = -1;
    for (let i = 0; i < count; i += 1) {
      const back = await mirror.listen(10_000);
      const index = typeof back === 'number' ? back : (back as { i?: unknown } | undefined)?.i;
      if (index !== i) {
        wrong = i;
        break;
      }
    }
    expect(wrong).toBe(-1);
    mirror.tell(MIRROR_STOP);
    await expect(mirror.result()).resolves.toBe(count);
  }, 60_000);

  it('tells a worker did not read before it died go to its replacement, in order', async () => {
    const reader = new TellReader(9);
    reader.start();
    for (let i = 1; i <= 10; i += 1) reader.tell(i);
    expect(await reader.result()).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('a worker ended by a timeout right after reading has those reads counted: its replacement gets only the unread tells', async () => {
    const hanger = new TellHanger();
    hanger.start();
    for (const value of [1, 2, 3]) hanger.tell(value);
    expect(await hanger.result()).toEqual([3]);
  });
});
