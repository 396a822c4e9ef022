import { describe, expect, it } from 'vitest';
import { SerializationError } from '@suitkaise/core';
import { Reconnector, registerReconnector } from '../src/reconnect/index.ts';
import { deserialize, registerCodec, serialize } from '../src/serializer/index.ts';

/** Stands for a class the app does not own and cannot register (a driver's client, say). */
class ForeignClient {
  constructor(public host: string, public port: number, public password: string) {}
  connected = true;
}

class Placeholder {
  constructor(public host: string, public port: number) {}
}

registerCodec<ForeignClient, { host: string; port: number }>('test:foreign-client', {
  test: (value): value is ForeignClient => value instanceof ForeignClient,
  toState: (client) => ({ host: client.host, port: client.port }),
  fromState: (state) => new Placeholder(state.host, state.port),
});

describe('codecs', () => {
  it('send an unregistered foreign class as its state and rebuild it, once, wherever it is referenced', () => {
    const client = new ForeignClient('db.local', 5432, 's3cret');
    const sent = structuredClone(serialize({ primary: client, again: client, list: [client] }));
    expect(JSON.stringify(sent)).not.toContain('s3cret');
    const back = deserialize(sent) as { primary: Placeholder; again: Placeholder; list: Placeholder[] };
    expect(back.primary).toBeInstanceOf(Placeholder);
    expect(back.primary).toEqual(new Placeholder('db.local', 5432));
    expect(back.again).toBe(back.primary);
    expect(back.list[0]).toBe(back.primary);
  });

  it('an unknown codec id on the receiving side is a SerializationError', () => {
    const sent = structuredClone(serialize({ c: new ForeignClient('h', 1, 'p') })) as unknown as { subs: Array<{ id: string }> };
    sent.subs[0]!.id = 'test:nobody';
    expect(() => deserialize(sent)).toThrow(SerializationError);
  });

  it('rejects a malformed codec with a TypeError naming what is missing', () => {
    expect(() => registerCodec('x', { test: () => true } as never)).toThrow(/needs test\(value\), toState\(value\) and fromState\(state\)/);
    expect(() => registerCodec('', { test: () => true, toState: () => 1, fromState: () => 1 } as never)).toThrow(/non-empty string/);
  });

  it('asks codecs registered later first: the reconnect room\'s before the built-in iterator codec, whatever the import order', () => {
    // A generator that is also a live resource of a registered type (the reconnect room registers its codec
    // when the serializer's index imports it, after the built-in codecs are in place).
    const marked = new WeakSet<object>();
    registerReconnector('test:generator-resource', {
      test: (value: object) => marked.has(value),
      capture: () => ({ name: 'generator' }),
      reconnect: () => 'live again',
    });
    const generator = (function* numbers() {
      yield 1;
    })();
    marked.add(generator);
    const out = deserialize(structuredClone(serialize({ generator }))) as { generator: unknown };
    expect(out.generator).toBeInstanceOf(Reconnector);
    expect((out.generator as Reconnector).type).toBe('test:generator-resource');
    expect(generator.next()).toEqual({ value: 1, done: false }); // not drained by the iterator codec
  });

  it('asks an app\'s codec before a built-in one (URL)', () => {
    registerCodec<URL, string>('test:url-host', {
      test: (value): value is URL => value instanceof URL,
      toState: (url) => url.host,
      fromState: (host) => `host ${host}`,
    });
    expect(deserialize(structuredClone(serialize({ url: new URL('https://example.test/x') })))).toEqual({ url: 'host example.test' });
  });
});
