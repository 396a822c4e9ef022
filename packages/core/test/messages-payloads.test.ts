// User values are never taken for suitkaise's own messages, whatever keys they have: tells and pipe
// sends of objects shaped like control messages come back unchanged, both ways, in both hosts.
import { describe, expect, it } from 'vitest';
import { Pipe, ProcessTimeoutError, SerializationError } from '@suitkaise/core';
import { MIRROR_STOP, Mirror, PipeMirror, TimedTeller } from './fixtures/messages-processes.ts';

/** Objects shaped like every control message suitkaise has had, and like a cucumber envelope; and the primitives that travel bare. */
const LOOKALIKES: readonly unknown[] = [
  undefined,
  null,
  'end',
  0,
  -0,
  NaN,
  10n ** 30n,
  false,
  { sk: 'end' },
  { sk: 'stop' },
  { sk: 'read' },
  { sk: 'pipe-close' },
  { sk: 'progress', currentRun: 3, livesLeft: 1, section: 2, sectionStartedAt: 0, joinDeadline: 0 },
  { format: 1, sk: 'x' },
  { kind: 'task-done', seq: 0, outcome: null },
  { kind: 'unknown-message', message: 'hi' },
  { kind: 'end' },
  { kind: 'stop' },
  { kind: 'read', count: 5 },
  { kind: 'failure', error: null },
  { kind: 'pipe-close' },
  { kind: 'values', values: [1, 2] },
  { kind: 'serialized', value: 1 },
  { kind: 'closed-itself' },
  { suitkaise: 'closed-itself' },
  { format: 'suitkaise/cucumber', version: 1, root: 5 },
  // Too big to be copied as plain: goes through cucumber, and must still come back as it was.
  { kind: 'end', padding: Array.from({ length: 100 }, (_, i) => i) },
  // Not plain (a Date inside): cucumber.
  { sk: 'end', when: new Date(5) },
];

describe('values shaped like control messages', () => {
  it('tell → worker → tell back: every one returns unchanged, in order, and the process goes on', async () => {
    const mirror = new Mirror();
    mirror.start();
    for (const value of LOOKALIKES) mirror.tell(value);
    const back: unknown[] = [];
    for (let i = 0; i < LOOKALIKES.length; i += 1) back.push(await mirror.listen(10_000));
    expect(back).toEqual(LOOKALIKES);
    expect(mirror.isAlive).toBe(true);
    mirror.tell(MIRROR_STOP);
    await expect(mirror.result()).resolves.toBe(LOOKALIKES.length);
  });

  it('pipe send → worker → send back: every one returns unchanged, then the pipe still works', async () => {
    const [anchor, point] = Pipe.pair();
    const mirror = new PipeMirror(point);
    mirror.start();
    for (const value of LOOKALIKES) anchor.send(value);
    const back: unknown[] = [];
    for (let i = 0; i < LOOKALIKES.length; i += 1) back.push(await anchor.recv(10_000));
    expect(back).toEqual(LOOKALIKES);
    anchor.send('still open');
    expect(await anchor.recv(10_000)).toBe('still open');
    anchor.send(MIRROR_STOP);
    await expect(mirror.result()).resolves.toBe(LOOKALIKES.length + 1);
    anchor.close();
  });

  it('between two ends in one thread', async () => {
    const [anchor, point] = Pipe.pair();
    for (const value of LOOKALIKES) anchor.send(value);
    const back: unknown[] = [];
    for (let i = 0; i < LOOKALIKES.length; i += 1) back.push(await point.recv(1000));
    expect(back).toEqual(LOOKALIKES);
    expect(point.isClosed).toBe(false);
    anchor.close();
  });
});

describe('a value postMessage would refuse', () => {
  // Too big to be copied as plain, so it goes through cucumber: Node refuses the Proxy there (with
  // its path), a browser only at postMessage; either way tell() and send() throw a SerializationError.
  const proxy = (): unknown => ({ items: new Proxy(Array.from({ length: 100 }, (_, i) => ({ i })), {}) });

  it('tell() throws a SerializationError, before the worker is up or after, and the process goes on', async () => {
    const mirror = new Mirror();
    mirror.start();
    expect(() => mirror.tell(proxy())).toThrow(SerializationError); // queued for the worker: refused now all the same
    mirror.tell('running');
    expect(await mirror.listen(10_000)).toBe('running'); // the worker is up: a tell posts now
    expect(() => mirror.tell(proxy())).toThrow(SerializationError);
    mirror.tell('after');
    expect(await mirror.listen(10_000)).toBe('after');
    mirror.tell(MIRROR_STOP);
    await expect(mirror.result()).resolves.toBe(2);
  });

  it('send() throws a SerializationError, and the pipe goes on', async () => {
    const [anchor, point] = Pipe.pair();
    expect(() => anchor.send(proxy())).toThrow(SerializationError);
    anchor.send('after');
    expect(await point.recv(1000)).toBe('after');
    anchor.close();
  });
});

describe('what a tell reads and keeps', () => {
  it('reads a getter once, and a frozen value arrives frozen (small values are copied at tell())', async () => {
    const mirror = new Mirror();
    mirror.start();
    let reads = 0;
    const withGetter = { get n() { reads += 1; return reads; }, when: new Date(5) };
    mirror.tell(withGetter);
    mirror.tell(Object.freeze({ a: 1 }));
    mirror.tell(Object.seal([1, 2]));
    expect(reads).toBe(1);
    expect(await mirror.listen(10_000)).toEqual({ n: 1, when: new Date(5) });
    const frozen = await mirror.listen(10_000);
    expect(frozen).toEqual({ a: 1 });
    expect(Object.isFrozen(frozen)).toBe(true);
    const sealed = await mirror.listen(10_000);
    expect(Object.isSealed(sealed) && !Object.isFrozen(sealed)).toBe(true);
    mirror.tell(MIRROR_STOP);
    await expect(mirror.result()).resolves.toBe(3);
  });

  it('a tell made before the worker is up arrives as it was at tell(), whatever happens to the value after', async () => {
    const mirror = new Mirror();
    mirror.start();
    const map = new Map([['k', 1]]);
    mirror.tell(map);
    map.set('k', 2);
    expect(await mirror.listen(10_000)).toEqual(new Map([['k', 1]]));
    mirror.tell(MIRROR_STOP);
    await expect(mirror.result()).resolves.toBe(1);
  });

  it('every tell a hook made reaches the parent when its section times out with the thread blocked', async () => {
    const teller = new TimedTeller();
    teller.start();
    await expect(teller.result()).rejects.toBeInstanceOf(ProcessTimeoutError);
    expect([await teller.listen(1000), await teller.listen(1000), await teller.listen(1000)]).toEqual(['a', 'b', 'c']);
  });
});
