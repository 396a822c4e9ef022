// Every receiver knows its port's messages by `kind` alone; a message of any other kind is an error
// that names it, not dropped. The "other protocol" is simulated by injecting a message on the port.
import { describe, expect, it } from 'vitest';
import { Pipe, PipeEndpointError, Pool, ProcessError } from '@suitkaise/core';
import { Garbler, MIRROR_STOP, Mirror, injectBefore } from './fixtures/messages-processes.ts';
import { square } from './fixtures/pool-functions.ts';

function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(() => { throw new Error('expected a rejection'); }, (error: unknown) => error);
}

describe('a message no receiver knows', () => {
  it("on the mail port, from the worker: the process fails with a ProcessError naming the message's kind", async () => {
    const garbler = new Garbler();
    const error = await rejection(garbler.run());
    expect(error).toBeInstanceOf(ProcessError);
    expect((error as Error).message).toMatch(/mail port does not know: kind 'gibberish-from-worker'/);
    expect(garbler.error).toBe(error);
  });

  it("on the mail port, from the parent: the worker reports it and the process fails, naming the message's kind", async () => {
    const mirror = new Mirror();
    mirror.start();
    mirror.tell('first');
    expect(await mirror.listen(10_000)).toBe('first');
    injectBefore('values', 'gibberish-from-parent');
    mirror.tell({ second: true }); // an object: it goes in a `values` message
    const error = await rejection(mirror.result());
    expect(error).toBeInstanceOf(ProcessError);
    expect((error as Error).message).toMatch(/worker got a message it does not know on the mail port: kind 'gibberish-from-parent'/);
    expect(() => mirror.tell(MIRROR_STOP)).toThrow(/finished/);
  });

  it("on a pipe's port: the next recv() rejects with a PipeEndpointError naming it, and the values after it still arrive", async () => {
    const [anchor, point] = Pipe.pair();
    injectBefore('values', 'gibberish-on-a-pipe');
    anchor.send([1]); // an object: it goes in a `values` message
    const error = await rejection(point.recv(1000));
    expect(error).toBeInstanceOf(PipeEndpointError);
    expect((error as Error).message).toMatch(/not a pipe message: kind 'gibberish-on-a-pipe'/);
    expect(await point.recv(1000)).toEqual([1]);
    anchor.close();
  });

  it("on a pool worker's task port: the call rejects, naming the message's kind, and the pool still works", async () => {
    await using pool = new Pool({ workers: 1 });
    expect(await pool.map(square, [2])).toEqual([4]);
    injectBefore('task', 'gibberish-for-tasks');
    const error = await rejection(pool.map(square, [3]));
    expect(error).toBeInstanceOf(ProcessError);
    expect((error as Error).message).toMatch(/task port: kind 'gibberish-for-tasks'/);
    expect(await pool.map(square, [4, 5])).toEqual([16, 25]);
  });
});
