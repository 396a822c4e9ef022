// A Share crosses worker boundaries through a serializer codec, so it has no string-named member
// beyond its API for the user's keys to collide with: keys named toState and fromState are data.
// Runs in Node and in Chromium.
import { describe, expect, it } from 'vitest';
import { Share, cucumber } from '@suitkaise/core';
import { Echo } from './fixtures/processes.ts';
import { IncrementProcess, newTally, type Tally } from './fixtures/share-processes.ts';

/** The Share's own members, as API.md lists them (plus the class's constructor). */
const API_MEMBERS = ['atomic', 'clear', 'constructor', 'exit', 'hasError', 'isRunning', 'reconnectAll', 'start', 'stop', 'update'];

interface Named extends Tally {
  toState: string;
  fromState: { n: number };
}

function named(): Share<Named> {
  const share = newTally() as unknown as Share<Named>;
  share.toState = 'a user value';
  share.fromState = { n: 1 };
  return share;
}

describe('Share and the serializer', () => {
  it('has no string-named member beyond its API, on the prototype or the class', () => {
    expect(Object.getOwnPropertyNames(Share.prototype).sort()).toEqual(API_MEMBERS);
    expect(Object.getOwnPropertyNames(Share).filter((name) => !['length', 'name', 'prototype'].includes(name))).toEqual([]);
    const share = new Share<Record<string, unknown>>();
    expect(share.toState).toBeUndefined();
    expect(share.fromState).toBeUndefined();
    expect('toState' in share).toBe(false);
  });

  it('keys named toState and fromState hold data, and a Share holding them crosses cucumber as itself', () => {
    const share = named();
    expect(Object.keys(share)).toEqual(expect.arrayContaining(['toState', 'fromState']));
    const copy = (cucumber.deserialize(structuredClone(cucumber.serialize({ share }))) as { share: Share<Named> }).share;
    expect(copy).toBeInstanceOf(Share);
    expect(copy.toState).toBe('a user value');
    expect(copy.fromState).toEqual({ n: 1 });
    copy.fromState = { n: 2 };
    expect(share.fromState).toEqual({ n: 2 }); // the same memory
  });

  it('a Share whose keys are toState and fromState round-trips into a worker and back', async () => {
    const share = named();
    // Into workers, which write through it.
    const processes = [new IncrementProcess(share, 'a'), new IncrementProcess(share, 'b')];
    for (const p of processes) p.start();
    await Promise.all(processes.map((p) => p.result()));
    expect(share.counter).toBe(20);
    // Into a worker and back: it tells the Share it received back to this thread.
    const echo = new Echo();
    echo.start();
    echo.tell(share);
    const reply = (await echo.listen(10_000)) as { echo: Share<Named> };
    echo.tell('bye');
    await echo.result();
    const back = reply.echo;
    expect(back).toBeInstanceOf(Share);
    expect(back.toState).toBe('a user value');
    expect(back.fromState).toEqual({ n: 1 });
    expect(back.counter).toBe(20);
    expect([...back.seen].sort()).toEqual(['a', 'b']);
    back.toState = 'written through the copy that came back';
    expect(share.toState).toBe('written through the copy that came back');
  });
});
