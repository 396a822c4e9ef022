// A Proxy: structured clone refuses one, and only Node can tell a Proxy from its target (util.types.isProxy).
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { deserialize, registerCodec, serialize } from '../src/serializer/index.ts';
import { caught } from './helpers/caught.ts';

async function posted(message: unknown): Promise<unknown> {
  const channel = new MessageChannel();
  try {
    const arrived = new Promise<unknown>((resolve) => channel.port2.once('message', resolve));
    channel.port1.postMessage(message);
    return await arrived;
  } finally {
    channel.port1.close();
    channel.port2.close();
  }
}

class Handle {
  constructor(public name = 'h') {}
}
registerCodec<Handle, string>('test:send:Handle', {
  test: (value): value is Handle => value instanceof Handle,
  toState: (handle) => handle.name,
  fromState: (name) => `handle ${name}`,
});

describe('cucumber send path: a Proxy (Node)', () => {
  it('refuses a Proxy in the structured-clone form, naming the path', () => {
    const error = caught(() => serialize({ ok: [1], state: { p: new Proxy({ a: 1 }, {}) } }));
    expect(error.path).toBe('root.state.p');
    expect(error.message).toMatch(/Proxy/);
    expect(caught(() => serialize([new Proxy([1, 2], {})])).path).toBe('root[0]');
    expect(caught(() => serialize(new Proxy({}, {}))).path).toBe('root');
  });

  it('sends a Proxy a codec replaces (a Share is one): structured clone never sees it', async () => {
    const out = deserialize(await posted(serialize({ handle: new Proxy(new Handle('x'), {}) })));
    expect(out).toEqual({ handle: 'handle x' });
  });

  it('sends a Proxy in the byte form as what it reads as, through a real MessageChannel', async () => {
    const out = deserialize(await posted(serialize({ p: new Proxy({ a: 1 }, {}), q: new Proxy([1, 2], {}) }, { bytes: true })));
    expect(out).toEqual({ p: { a: 1 }, q: [1, 2] });
  });
});
