import { describe, expect, it } from 'vitest';
import { Pipe, PipeEndpointError, SerializationError, Sktimer, cucumber } from '@suitkaise/core';
import { PipeEcho, PipeProcess, PipeSpinner, PipeSummer, PipeTalker, PointReceiver } from './fixtures/pipe-processes.ts';
import { PipeTimeout } from './fixtures/messages-processes.ts';

function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(() => { throw new Error('expected a rejection'); }, (error: unknown) => error);
}

describe('Pipe between two ends in one thread', () => {
  it('carries values through cucumber, in order, both ways', async () => {
    const [anchor, point] = Pipe.pair();
    const timer = new Sktimer();
    timer.addTime(5);
    anchor.send({ when: new Date(7), tags: new Map([['a', 1]]), timer });
    anchor.send('second');
    point.send(42n);
    const first = (await point.recv()) as { when: Date; tags: Map<string, number>; timer: Sktimer };
    expect(first.when).toEqual(new Date(7));
    expect(first.tags.get('a')).toBe(1);
    expect(first.timer).toBeInstanceOf(Sktimer);
    expect(first.timer.mean).toBe(5);
    expect(await point.recv()).toBe('second');
    expect(await anchor.recv()).toBe(42n);
    anchor.close();
    point.close();
  });

  it('recv(timeout) resolves undefined when nothing arrives, and the pipe goes on', async () => {
    const [anchor, point] = Pipe.pair();
    await expect(point.recv(30)).resolves.toBeUndefined();
    await expect(point.recv(0)).resolves.toBeUndefined();
    anchor.send('later');
    await expect(point.recv(30)).resolves.toBe('later');
    anchor.close();
    // Closed with nothing left to read: a rejection, not undefined, even with a timeout.
    expect(await rejection(point.recv(30))).toBeInstanceOf(PipeEndpointError);
  });

  it('a sent undefined is a value: it is read even after the sender closed', async () => {
    const [anchor, point] = Pipe.pair();
    anchor.send(undefined);
    anchor.send(null);
    anchor.close();
    await expect(point.recv(1000)).resolves.toBeUndefined();
    await expect(point.recv(1000)).resolves.toBeNull();
    expect(await rejection(point.recv(1000))).toBeInstanceOf(PipeEndpointError);
  });

  it('after close(), the other end reads what was sent, then rejects; this end refuses to send', async () => {
    const [anchor, point] = Pipe.pair();
    const pending = point.recv();
    anchor.send(1);
    anchor.send(2);
    anchor.close();
    expect(await pending).toBe(1);
    expect(await point.recv()).toBe(2);
    expect(await rejection(point.recv())).toBeInstanceOf(PipeEndpointError);
    expect(() => anchor.send(3)).toThrow(PipeEndpointError);
    expect(() => point.send(3)).toThrow(/other end of the pipe is closed/);
    expect(anchor.isClosed && point.isClosed).toBe(true);
  });

  it('one-way: the anchor only sends and the point only receives', async () => {
    const [anchor, point] = Pipe.pair({ oneWay: true });
    expect(() => point.send('x')).toThrow(PipeEndpointError);
    expect(await rejection(anchor.recv())).toBeInstanceOf(PipeEndpointError);
    anchor.send('fine');
    expect(await point.recv()).toBe('fine');
    anchor.close();
  });

  it('the anchor is always locked; a point locks and unlocks', () => {
    const [anchor, point] = Pipe.pair();
    expect(anchor.isLocked).toBe(true);
    expect(() => anchor.unlock()).toThrow(PipeEndpointError);
    anchor.lock();
    expect(point.isLocked).toBe(false);
    point.lock();
    expect(point.isLocked).toBe(true);
    point.unlock();
    expect(point.isLocked).toBe(false);
    expect(() => new (Pipe as unknown as new () => Pipe)()).toThrow(/Pipe\.pair\(\)/);
    anchor.close();
  });

  it('a point cannot go into the byte form; an anchor or locked point cannot be serialized at all', () => {
    const [anchor, point] = Pipe.pair();
    expect(() => cucumber.serialize({ point }, { bytes: true })).toThrow(SerializationError);
    expect(() => cucumber.serialize({ anchor })).toThrow(PipeEndpointError);
    point.lock();
    expect(() => cucumber.serialize([point])).toThrow(/locked/);
    anchor.close();
  });
});

describe('Pipe with a process in a real worker', () => {
  it("runs the API's example: the point moves into the worker, the anchor talks to it", async () => {
    const [anchor, point] = Pipe.pair();
    const p = new PipeProcess(point);
    p.start();
    anchor.send({ action: 'compute', value: 42 });
    const reply = (await anchor.recv(10_000)) as { action: string; result: number; seenAt: Date };
    expect(reply).toEqual({ action: 'compute', result: 84, seenAt: new Date(0) });
    await expect(p.result()).resolves.toBe('replied');
    // The point moved: it cannot be used or passed again here.
    expect(() => point.send('x')).toThrow(/passed to another thread/);
    expect(() => new PipeProcess(point).start()).toThrow(PipeEndpointError);
    anchor.close();
  });

  it('keeps a conversation going, then the worker stops on a message', async () => {
    const [anchor, point] = Pipe.pair();
    const echo = new PipeEcho(point);
    echo.start();
    for (let i = 0; i < 20; i++) {
      anchor.send(i);
      expect(await anchor.recv(10_000)).toEqual({ echo: i });
    }
    anchor.send('bye');
    await expect(echo.result()).resolves.toBe(20);
    anchor.close();
  });

  it('a one-way pipe feeds a worker', async () => {
    const [anchor, point] = Pipe.pair({ oneWay: true });
    const summer = new PipeSummer(point, 5);
    summer.start();
    for (const n of [1, 2, 3, 4, 5]) anchor.send(n);
    await expect(summer.result()).resolves.toBe(15);
    anchor.close();
  });

  it('recv(timeout) inside the worker resolves undefined when nothing arrives', async () => {
    const [anchor, point] = Pipe.pair();
    await expect(new PipeTimeout(point, 50).run()).resolves.toBe('undefined');
    const [anchor2, point2] = Pipe.pair();
    anchor2.send(7);
    await expect(new PipeTimeout(point2, 5000).run()).resolves.toBe('got 7');
    anchor.close();
    anchor2.close();
  });

  it('refuses an anchor or a locked point at start()', () => {
    const [anchor, point] = Pipe.pair();
    expect(() => new PipeProcess(anchor).start()).toThrow(PipeEndpointError);
    point.lock();
    expect(() => new PipeProcess(point).start()).toThrow(/locked/);
    anchor.close();
  });

  it('a point can travel inside a tell', async () => {
    const [anchor, point] = Pipe.pair();
    const receiver = new PointReceiver();
    receiver.start();
    receiver.tell(point);
    expect(await anchor.recv(10_000)).toBe('hello from a point that came by tell (point)');
    await expect(receiver.result()).resolves.toBe('done');
    anchor.close();
  });

  it('what a finished worker sent is still read, then recv() rejects', async () => {
    const [anchor, point] = Pipe.pair();
    const talker = new PipeTalker(point);
    await expect(talker.run()).resolves.toBe('sent');
    expect(await anchor.recv(10_000)).toBe('one');
    expect(await anchor.recv(10_000)).toBe('two');
    expect(await rejection(anchor.recv())).toBeInstanceOf(PipeEndpointError);
  });

  it('a point passed to two processes, or told twice, is refused at once', () => {
    const [anchor, point] = Pipe.pair();
    const first = new PipeEcho(point);
    first.start();
    expect(() => new PipeEcho(point).start()).toThrow(/already passed/);
    expect(() => point.send(1)).toThrow(PipeEndpointError);
    const [, other] = Pipe.pair();
    const receiver = new PointReceiver();
    receiver.start();
    receiver.tell(other);
    expect(() => receiver.tell(other)).toThrow(PipeEndpointError);
    first.kill();
    receiver.kill();
    anchor.close();
  });

  it("rejects the anchor's recv() when the worker on the other end ends, instead of hanging", async () => {
    const [anchor, point] = Pipe.pair();
    const echo = new PipeEcho(point);
    echo.start();
    anchor.send('ping');
    expect(await anchor.recv(10_000)).toEqual({ echo: 'ping' });
    const waiting = anchor.recv();
    echo.kill();
    expect(await rejection(waiting)).toBeInstanceOf(PipeEndpointError);
  });

  it('re-pairs the point with its anchor when a timeout replaces the worker', async () => {
    const [anchor, point] = Pipe.pair();
    const spinner = new PipeSpinner(point);
    spinner.start();
    anchor.send('before');
    expect(await anchor.recv(10_000)).toBe('got before');
    anchor.send('spin'); // the run times out after 300 ms; a replacement worker gets a fresh channel
    expect(await anchor.recv(10_000)).toBe('spinning'); // sent by the worker that is about to be ended
    let reply: unknown;
    for (let tries = 0; reply === undefined && tries < 100; tries++) {
      anchor.send('after'); // may go to the dying worker; the replacement answers one of them
      reply = await anchor.recv(200);
    }
    expect(reply).toBe('got after');
    anchor.send('bye');
    await expect(spinner.result()).resolves.toBe('survived');
    expect(spinner.error).toBeNull();
    anchor.close();
  });
});
