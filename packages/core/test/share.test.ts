import { describe, expect, it } from 'vitest';
import { Pipe, ProcessError, ProcessTimeoutError, Reconnector, SerializationError, Share, Sktimer, cucumber } from '@suitkaise/core';
import { EndlessPusher, ExitInsideAtomic, IncrementProcess, LockHolder, ManualIncrement, ShareConversation, newTally, type Tally } from './fixtures/share-processes.ts';

const tally = newTally;

describe('Share in one thread', () => {
  it('stores any sendable value and reads back copies', () => {
    const share = new Share<{ n: number; when: Date; map: Map<string, number[]>; nothing?: string }>();
    share.n = 1;
    share.when = new Date(5);
    share.map = new Map([['a', [1, 2]]]);
    expect(share.n).toBe(1);
    expect(share.when.getTime()).toBe(5);
    expect(share.map.get('a')).toEqual([1, 2]);
    expect(share.nothing).toBeUndefined();
    expect(Object.keys(share).sort()).toEqual(['map', 'n', 'when']);
    expect('n' in share && !('nothing' in share)).toBe(true);
    delete share.nothing;
    share.n = undefined as unknown as number;
    expect('n' in share).toBe(false);
  });

  it('keeps numbers in their own form, in place, and moves between numbers and other values', () => {
    const share = new Share<{ x: unknown }>();
    share.x = 1;
    expect(share.update('x', (x) => (x as number) + 0.5)).toBe(1.5);
    expect(share.x).toBe(1.5);
    share.x = { a: [1] };
    expect(share.x).toEqual({ a: [1] });
    expect(share.update('x', () => -0)).toBe(-0);
    expect(Object.is(share.x, -0)).toBe(true);
    share.update('x', () => NaN);
    expect(share.x).toBeNaN();
    share.update('x', () => 'text');
    expect(share.x).toBe('text');
    share.x = Number.MAX_SAFE_INTEGER;
    expect(share.update('x', (x) => (x as number) - 1)).toBe(Number.MAX_SAFE_INTEGER - 1);
    expect(cucumber.deserialize(cucumber.serialize(share))).toBeInstanceOf(Share);
  });

  it('runs method calls on stored objects against the stored value', () => {
    const share = tally();
    share.seen.push('a');
    share.seen.push('b', 'c');
    share.timer.addTime(3);
    share.timer.addTime(5);
    share.update('flags', (flags) => ({ ...flags, last: 'z' }));
    expect(share.seen).toEqual(['a', 'b', 'c']);
    expect(Array.isArray(share.seen) && structuredClone(share.seen)).toEqual(['a', 'b', 'c']); // a real array
    expect(share.seen.length).toBe(3);
    expect(share.timer).toBeInstanceOf(Sktimer);
    expect(share.timer.mean).toBe(4);
    expect(share.flags.last).toBe('z');
  });

  it('update() and atomic() return what they store; compound assignment is compiled to update()', () => {
    const share = tally();
    expect(share.update('counter', (n) => n + 5)).toBe(5);
    share.counter += 2;
    share.counter *= 3;
    const before = share.counter++;
    expect(before).toBe(21);
    expect(share.counter).toBe(22);
    share.total += 10n;
    expect(share.total).toBe(10n);
    expect(share.atomic((s) => { s.counter = s.counter - 2; return s.counter; })).toBe(20);
    expect(() => share.update('counter', () => Promise.resolve(1) as unknown as number)).toThrow(/synchronous/);
  });

  it('grows its memory and reclaims it: many keys, large values, rewrites', () => {
    const share = new Share<Record<string, unknown>>();
    for (let i = 0; i < 500; i++) share[`k${i}`] = { i, text: 'x'.repeat(i * 10) };
    share.big = new Float64Array(500_000); // 4 MB
    for (let round = 0; round < 20; round++) share.grows = 'y'.repeat(round * 5000);
    expect((share.k499 as { i: number }).i).toBe(499);
    expect((share.big as Float64Array).length).toBe(500_000);
    expect((share.grows as string).length).toBe(19 * 5000);
    share.clear();
    expect(Object.keys(share)).toEqual([]);
    share.again = 1;
    expect(share.again).toBe(1);
  });

  it('clear() then new writes: the memory is reused, not corrupted', () => {
    const share = new Share<Record<string, unknown>>();
    share.a = 1;
    share.clear();
    share.b = 2;
    share.c = { deep: [3] };
    expect(share.b).toBe(2);
    expect(share.c).toEqual({ deep: [3] });
    expect(Object.keys(share).sort()).toEqual(['b', 'c']);
  });

  it('stored Maps, Sets and arrays are real objects: iterate, compare, send them', () => {
    const share = new Share<{ m: Map<string, number>; s: Set<number> }>();
    share.m = new Map([['a', 1]]);
    share.s = new Set([1, 2]);
    share.m.set('b', 2);
    share.s.delete(1);
    expect([...share.m]).toEqual([['a', 1], ['b', 2]]);
    expect(share.m).toEqual(new Map([['a', 1], ['b', 2]]));
    expect(share).toEqual({ m: new Map([['a', 1], ['b', 2]]), s: new Set([2]) });
    const copy = cucumber.deserialize(structuredClone(cucumber.serialize({ m: share.m }))) as { m: Map<string, number> };
    expect(copy.m.get('b')).toBe(2);
    const [anchor, point] = Pipe.pair();
    anchor.send(share.s);
    return point.recv().then((received) => {
      expect(received).toEqual(new Set([2]));
      anchor.close();
    });
  });

  it('keys named like Object.prototype members hold data', () => {
    const share = new Share<Record<string, unknown>>();
    const [toStringKey, valueOfKey]: string[] = ['toString', 'valueOf'];
    share[toStringKey!] = 'hello';
    share[valueOfKey!] = 7;
    expect(share[toStringKey!]).toBe('hello');
    expect(share[valueOfKey!]).toBe(7);
    expect(Object.hasOwn(share, 'toString')).toBe(true);
    expect(Object.keys(share).sort()).toEqual(['toString', 'valueOf']);
  });

  it('refuses its own member names and unsendable values, with a path', () => {
    const share = new Share<Record<string, unknown>>();
    expect(() => { (share as Record<string, unknown>).update = 1; }).toThrow(/name of the Share itself/);
    const error = (() => { try { share.bad = { handler: () => 1 }; } catch (e) { return e; } })();
    expect(error).toBeInstanceOf(SerializationError);
    expect((error as SerializationError).path).toBe('root.handler');
  });

  it('stop() holds writes until start() applies them in order; update() refuses while stopped', async () => {
    const share = tally();
    share.counter = 1;
    expect(await share.stop()).toBe(true);
    expect(share.isRunning).toBe(false);
    share.counter = 2;
    share.seen.push('queued');
    expect(share.counter).toBe(1);
    expect(() => share.update('counter', (n) => n + 1)).toThrow(/stopped/);
    share.start();
    expect(share.isRunning).toBe(true);
    expect(share.counter).toBe(2);
    expect([...share.seen]).toEqual(['queued']);
    expect(share.hasError).toBe(false);
    expect(await share.exit()).toBe(true);
    share.seen = 'not an array' as unknown as string[];
    share.seen.push('fails at start');
    expect(() => share.start()).toThrow(AggregateError);
    expect(share.hasError).toBe(true);
    {
      using disposed = tally();
      disposed.counter = 3;
    }
  });

  it('while stopped: read-only method calls answer from the current value and queue nothing; many writes queue fast', async () => {
    const share = new Share<{ seen: string[]; n: number; m: Map<string, number> }>();
    share.seen = ['a'];
    share.m = new Map([['k', 1]]);
    await share.stop();
    expect(share.seen.includes('a')).toBe(true);
    expect(share.seen.join('-')).toBe('a');
    expect(share.m.get('k')).toBe(1);
    expect(share.seen.push('b')).toBe(2); // answered from a copy, applied at start()
    expect(share.seen).toEqual(['a']);
    for (let i = 1; i <= 5000; i++) share.n = i;
    share.start();
    expect(share.seen).toEqual(['a', 'b']);
    expect(share.n).toBe(5000);
    expect(share.m.get('k')).toBe(1);
  });

  it('says a Share cannot hold a Share or a Pipe point', () => {
    const share = new Share<Record<string, unknown>>();
    expect(() => { share.inner = new Share(); }).toThrow(/cannot hold another Share/);
    const [anchor, point] = Pipe.pair();
    expect(() => { share.point = point; }).toThrow(SerializationError);
    anchor.close();
  });

  it('crosses cucumber as a handle on the same memory', () => {
    const share = tally();
    const copy = cucumber.deserialize(structuredClone(cucumber.serialize({ share }))) as { share: Share<Tally> };
    copy.share.counter = 41;
    copy.share.counter += 1;
    expect(share.counter).toBe(42);
    expect(() => cucumber.serialize(share, { bytes: true })).toThrow(SerializationError);
  });

  it('reconnectAll() resolves to the live resources by key, in place of the Reconnectors it holds', async () => {
    const share = new Share<{ channel: unknown; holder: { channel: unknown; n: number }; plain: number }>();
    share.channel = new BroadcastChannel('share-test');
    share.holder = { channel: new BroadcastChannel('share-test-nested'), n: 1 };
    share.plain = 1;
    expect(share.channel).toBeInstanceOf(Reconnector);
    const pending = share.reconnectAll();
    expect(pending).toBeInstanceOf(Promise);
    const reconnected = await pending;
    expect(Object.keys(reconnected).sort()).toEqual(['channel', 'holder']);
    const channel = reconnected.channel as BroadcastChannel;
    expect(channel).toBeInstanceOf(BroadcastChannel);
    expect(channel.name).toBe('share-test');
    const holder = reconnected.holder as { channel: BroadcastChannel; n: number };
    expect(holder.channel).toBeInstanceOf(BroadcastChannel);
    expect(holder.channel.name).toBe('share-test-nested');
    expect(holder.n).toBe(1);
    expect(share.channel).toBeInstanceOf(Reconnector); // the Share keeps the placeholder
    channel.close();
    holder.channel.close();
  });
});

describe('Share across real workers', () => {
  it("10 processes × 10 runs: share.counter === 100 (the API's example, run as parallel processes)", async () => {
    const share = tally();
    const processes = Array.from({ length: 10 }, (_, i) => new IncrementProcess(share, `p${i}`));
    for (const p of processes) p.start();
    await Promise.all(processes.map((p) => p.result()));
    expect(share.counter).toBe(100);
    expect(share.total).toBe(200n);
    expect(share.timer.numTimes).toBe(100);
    expect([...share.seen].sort()).toEqual(processes.map((_, i) => `p${i}`).sort());
    expect(share.flags.last).toMatch(/^p\d$/);
  });

  it('reads see writes made in another thread, both ways', async () => {
    const share = new Share<{ fromWorker?: string; fromParent?: string }>();
    const p = new ShareConversation(share);
    p.start();
    expect(await p.listen(10_000)).toBe('written');
    expect(share.fromWorker).toBe('written in the worker');
    share.fromParent = 'written in the parent';
    p.tell('go');
    await expect(p.result()).resolves.toBe('written in the parent');
  });

  it('a worker that dies holding the lock does not block the Share: its lock is freed, hasError is set', async () => {
    const share = new Share<{ x: number }>();
    share.x = 1;
    const holder = new LockHolder(share);
    holder.start();
    await expect(holder.result()).rejects.toBeInstanceOf(ProcessTimeoutError);
    share.x = 2;
    expect(share.x).toBe(2);
    expect(share.hasError).toBe(true);
  });

  // The lock's patience is 10 s: a writer freed in well under that was freed by the holder's end, not by giving up.
  it('a worker that ends itself inside share.atomic() does not freeze the next writer in this thread', async () => {
    const share = new Share<{ counter: number }>();
    share.counter = 0;
    const holder = new ExitInsideAtomic(share);
    holder.start();
    expect(await holder.listen(10_000)).toBe('holding');
    const began = performance.now();
    share.update('counter', (counter) => counter + 1);
    expect(performance.now() - began).toBeLessThan(5_000);
    expect([1, 1001]).toContain(share.counter);
    expect(share.hasError).toBe(true);
    await expect(holder.result()).rejects.toBeInstanceOf(ProcessError);
  });

  it('a section timeout ends a worker stuck inside share.atomic() even while this thread waits for its lock', async () => {
    const share = new Share<{ x: number }>();
    share.x = 1;
    const holder = new LockHolder(share);
    holder.start();
    expect(await holder.listen(10_000)).toBe('holding');
    const began = performance.now();
    share.x = 2;
    expect(performance.now() - began).toBeLessThan(5_000);
    expect(share.x).toBe(2);
    await expect(holder.result()).rejects.toBeInstanceOf(ProcessTimeoutError);
  });

  it('kill() in the middle of Share operations leaves the Share usable', async () => {
    for (let round = 0; round < 3; round++) {
      const share = new Share<{ log: number[] }>();
      share.log = [];
      const pusher = new EndlessPusher(share);
      pusher.start();
      await pusher.listen(10_000);
      pusher.kill();
      // Read right after kill(), maybe while its lock is orphaned. The worker told us after its
      // first run, so that run's 50 pushes are there; kill() may have cut a later run short, but
      // no push is lost, doubled or torn: the log is runs of 0..49, the last one maybe partial.
      const log = [...share.log]; // a plain array: the read's own methods would act on the stored log
      expect(log.slice(0, 50)).toEqual(Array.from({ length: 50 }, (_, i) => i));
      expect(log).toEqual(Array.from({ length: log.length }, (_, i) => i % 50));
      share.log.push(-1); // the killed worker may still finish a push or two while it winds down
      expect(share.log.includes(-1)).toBe(true);
    }
  });

  it('update() and atomic() by hand are atomic across workers', async () => {
    const share = new Share<{ a: number; b: number }>();
    share.a = 0;
    share.b = 0;
    const workers = Array.from({ length: 4 }, () => new ManualIncrement(share, 250));
    for (const w of workers) w.start();
    await Promise.all(workers.map((w) => w.wait()));
    expect(workers.map((w) => w.error)).toEqual([null, null, null, null]);
    expect(share.a).toBe(1000);
    expect(share.b).toBe(1000);
  });
});
