// Bursts of tells: many told without waiting arrive all, in order, as they were when told (tells
// made close together share messages on the wire; a sync hook's tells still arrive while it runs).
import { describe, expect, it } from 'vitest';
import { Sktimer } from '@suitkaise/core';
import { MIRROR_STOP, Mirror, Mutator, SlowSyncTeller } from './fixtures/messages-processes.ts';

const COUNT = 100_000;

/** Message `i` of a burst: mostly numbers and plain objects, now and then one that needs cucumber. */
function messageOf(i: number): unknown {
  if (i % 1000 === 999) return new Map([['i', i]]);
  if (i % 500 === 250) return { i, when: new Date(i) };
  return i % 2 === 0 ? i : { i, tag: 'item', list: [i, -i] };
}

function indexOf(message: unknown): unknown {
  if (typeof message === 'number') return message;
  if (message instanceof Map) return message.get('i');
  return (message as { i?: unknown } | undefined)?.i;
}

describe('a burst of tells', () => {
  it(`${COUNT.toLocaleString('en')} tells there and back arrive all, in order, unchanged`, async () => {
    const mirror = new Mirror();
    mirror.start();
    for (let i = 0; i < COUNT; i += 1) mirror.tell(messageOf(i));
    const wrong: string[] = [];
    for (let i = 0; i < COUNT; i += 1) {
      const back = await mirror.listen(10_000);
      if (indexOf(back) !== i) wrong.push(`#${i}: ${JSON.stringify(back)}`);
      else if (i % 500 === 250 && !((back as { when?: unknown }).when instanceof Date)) wrong.push(`#${i}: no Date`);
      if (wrong.length > 5) break;
    }
    expect(wrong).toEqual([]);
    mirror.tell(MIRROR_STOP);
    await expect(mirror.result()).resolves.toBe(COUNT);
  }, 60_000);

  it('a value told and then changed arrives as it was when told (parent → worker → parent)', async () => {
    const mirror = new Mirror();
    mirror.start();
    const state = { n: 0, nested: { list: [0] } };
    const timer = new Sktimer();
    for (let i = 0; i < 5; i += 1) {
      state.n = i;
      state.nested.list.push(i);
      mirror.tell(state);
      mirror.tell(timer);
    }
    const back: Array<{ n: number; nested: { list: number[] } }> = [];
    for (let i = 0; i < 5; i += 1) {
      back.push((await mirror.listen(10_000)) as (typeof back)[number]);
      expect(await mirror.listen(10_000)).toBeInstanceOf(Sktimer);
    }
    expect(back.map((value) => value.n)).toEqual([0, 1, 2, 3, 4]);
    expect(back.map((value) => value.nested.list.length)).toEqual([2, 3, 4, 5, 6]);
    expect(new Set(back).size).toBe(5);
    mirror.tell(MIRROR_STOP);
    await mirror.result();
  });

  it('a value told and then changed arrives as it was when told (worker → parent)', async () => {
    const mutator = new Mutator(50);
    await mutator.run();
    const back: unknown[] = [];
    for (let m = await mutator.listen(); m !== undefined; m = await mutator.listen()) back.push(m);
    expect(back).toEqual(Array.from({ length: 50 }, (_, i) => ({ n: i, list: [i] })));
  });

  it('a synchronous hook that is busy between tells has them arrive while it still runs', async () => {
    const teller = new SlowSyncTeller();
    teller.start();
    // The worker blocks after its third tell until released: the parent only gets here if all three came out.
    const got = [await teller.listen(10_000), await teller.listen(10_000), await teller.listen(10_000)];
    expect(got).toEqual([1, 2, 3]);
    Atomics.store(teller.released, 0, 1);
    Atomics.notify(teller.released, 0);
    await expect(teller.result()).resolves.toBe('released');
  });
});
