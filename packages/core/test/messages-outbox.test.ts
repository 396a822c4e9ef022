// The sending side of a mail port (process/outbox.ts) on a real MessageChannel, in both hosts.
import { describe, expect, it } from 'vitest';
import { Outbox } from '../src/process/outbox.ts';

/** Every message port2 receives until the event loop has gone round a few times. */
async function received(channel: MessageChannel): Promise<unknown[]> {
  const got: unknown[] = [];
  channel.port2.onmessage = (event: MessageEvent) => got.push(event.data);
  for (let turn = 0; turn < 5; turn += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  channel.port1.close();
  channel.port2.close();
  return got;
}

describe('Outbox', () => {
  it('reports a read at once, even in a burst: a worker ended right after (a timeout) has every read counted', async () => {
    const channel = new MessageChannel();
    const outbox = new Outbox<{ readonly kind: 'end' }>(channel.port1);
    outbox.value(1); // goes out at once; what follows in this burst is gathered
    outbox.value(2);
    outbox.read();
    outbox.read();
    outbox.close(); // what a terminated worker does not send: the gathered value
    const got = await received(channel);
    expect(got.filter((message) => (message as { kind?: string }).kind === 'read')).toEqual([
      { kind: 'read' },
      { kind: 'read' },
    ]);
    expect(got[0]).toBe(1);
  });

  it('gathers a burst of values into few messages, in order', async () => {
    const channel = new MessageChannel();
    const outbox = new Outbox<{ readonly kind: 'end' }>(channel.port1);
    for (let i = 0; i < 1000; i += 1) outbox.value(i);
    const got = await received(channel);
    const values = got.flatMap((message) => (typeof message === 'number' ? [message] : (message as { values: number[] }).values));
    expect(values).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(got.length).toBeLessThan(10);
  });
});
