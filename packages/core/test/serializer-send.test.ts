// The send path: what `serialize` accepts must survive a real postMessage (a MessageChannel), and what it
// cannot send it refuses itself, naming the path. Checked in the structured-clone form and the byte form.
import { describe, expect, it } from 'vitest';
import { SerializationError } from '../src/errors.ts';
import { deserialize, registerClass, serialize, type SerializeOptions } from '../src/serializer/index.ts';
import { caught } from './helpers/caught.ts';

/** Posts `message` through a real MessageChannel and resolves to what arrives. */
async function posted(message: unknown): Promise<unknown> {
  const channel = new MessageChannel();
  try {
    const arrived = new Promise<unknown>((resolve) => {
      channel.port2.onmessage = (event: MessageEvent) => resolve(event.data);
    });
    channel.port1.postMessage(message);
    return await arrived;
  } finally {
    channel.port1.close();
    channel.port2.close();
  }
}

type Send = <T>(value: T, options?: SerializeOptions) => Promise<T>;

/** Each form, serialized, really posted, and deserialized where it arrives. */
const forms: Record<string, Send> = {
  clone: async (value, options) => deserialize(await posted(serialize(value, { ...options, bytes: false }))) as typeof value,
  bytes: async (value, options) => deserialize(await posted(serialize(value, { ...options, bytes: true }))) as typeof value,
  // A Symbol.for symbol beside the value makes the one-pass byte writer hand over to the general path.
  'bytes, general path': async (value, options) =>
    ((deserialize(await posted(serialize({ value, force: Symbol.for('test:send') }, { ...options, bytes: true }))) as { value: typeof value }).value),
};

/** A `root.n.n…` chain `depth` objects long. */
function chain(depth: number): { n?: object } {
  const head: { n?: object } = {};
  let tail = head;
  for (let i = 1; i < depth; i++) tail = tail.n = {};
  return head;
}

/** How many objects deep a `.n` chain is. */
function depthOf(head: { n?: object }): number {
  let depth = 1;
  for (let at = head; at.n !== undefined; at = at.n as { n?: object }) depth++;
  return depth;
}

/** A resizable ArrayBuffer of 8 bytes, which may grow to 16. */
const resizable = (): ArrayBuffer & { resize(length: number): void } =>
  new (ArrayBuffer as unknown as new (length: number, options: { maxByteLength: number }) => ArrayBuffer & { resize(length: number): void })(8, { maxByteLength: 16 });

/** `buffer`, its bytes transferred away. */
function detach<T extends ArrayBuffer>(buffer: T): T {
  structuredClone(buffer, { transfer: [buffer] });
  return buffer;
}

/** A view of `View` over a buffer that is then transferred away. */
function detachedView<V>(View: new (buffer: ArrayBuffer) => V): V {
  const buffer = new ArrayBuffer(8);
  const view = new View(buffer);
  detach(buffer);
  return view;
}

class Secret {
  hidden = 1;
}
class Kept {
  constructor(public n = 1) {}
}
registerClass(Kept, 'test:send:Kept');

describe('cucumber send path: nesting deeper than structured clone can carry', () => {
  it('refuses it in the structured-clone form, naming the path, and says the byte form carries it', () => {
    const error = caught(() => serialize(chain(100_000)));
    expect(error.path).toMatch(/^root(\.n)+$/);
    expect(error.path.length).toBeGreaterThan('root'.length + 2 * 500);
    expect(error.message).toMatch(/nested too deeply/);
    expect(error.message).toMatch(/bytes: true/);
  });

  it('sends it in the byte form through a real MessageChannel', async () => {
    const out = await forms.bytes!(chain(100_000));
    expect(depthOf(out)).toBe(100_000);
  });

  it('still sends nesting that structured clone carries (a ring of 1000 registered instances)', async () => {
    type Ring = Kept & { next?: Ring };
    const ring: Ring[] = Array.from({ length: 1000 }, (_, i) => new Kept(i));
    ring.forEach((item, i) => (item.next = ring[(i + 1) % ring.length]));
    const out = await forms.clone!(ring[0]!);
    let at = out;
    for (let i = 0; i < 1000; i++) at = at.next!;
    expect(at === out).toBe(true);
    expect(out.next).toBeInstanceOf(Kept);
    // The deepest chain the structured-clone form takes still posts; a little deeper is refused.
    expect(depthOf(await forms.clone!(chain(1100)))).toBe(1100);
    expect(caught(() => serialize(chain(1200))).message).toMatch(/nested too deeply/);
  });
});

for (const [form, send] of Object.entries(forms)) {
  const bytes = form !== 'clone';
  const options = { bytes } as const;
  describe(`cucumber send path (${form})`, () => {
    it('refuses a detached ArrayBuffer, and a view over one, naming the path', () => {
      expect(caught(() => serialize({ b: detach(new ArrayBuffer(8)) }, options)).path).toBe('root.b');
      expect(caught(() => serialize({ list: [1, detachedView(Uint8Array)] }, options)).path).toBe('root.list[1]');
      expect(caught(() => serialize({ v: new DataView(new ArrayBuffer(4)), w: detachedView(DataView) }, options)).path).toBe('root.w');
      expect(caught(() => serialize({ b: detach(new ArrayBuffer(8)) }, options)).message).toMatch(/detached/);
    });

    it('refuses a typed array or DataView past the end of a shrunk resizable buffer, naming the path', () => {
      const buffer = resizable();
      const view = new Uint8Array(buffer, 4, 4);
      const data = new DataView(buffer, 4, 4);
      buffer.resize(2);
      const one = caught(() => serialize({ ok: 1, u: view }, options));
      expect(one.path).toBe('root.u');
      expect(one.message).toMatch(/out of bounds/);
      expect(caught(() => serialize({ d: data }, options)).path).toBe('root.d');
      expect(caught(() => serialize(new Map([['k', data]]), options)).path).toBe('root<Map value 0>');
    });

    it('still sends views that fit a resizable buffer, empty ones included', async () => {
      const buffer = resizable();
      new Uint8Array(buffer).set([1, 2, 3, 4, 5, 6, 7, 8]);
      const value = { all: new Uint8Array(buffer), empty: new Uint8Array(buffer, 8, 0), tail: new DataView(buffer, 6, 2) };
      const out = await send(value);
      expect([...out.all]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(out.empty.length).toBe(0);
      expect(out.tail.getUint8(1)).toBe(8);
    });

    it('reads each property once: a getter that changes its answer cannot slip a class instance through', async () => {
      let reads = 0;
      const value = {
        get g(): object {
          reads++;
          return reads === 1 ? { plain: 1 } : new Secret();
        },
      };
      const out = await send(value);
      expect(reads).toBe(1);
      expect(out.g).toEqual({ plain: 1 });
      expect(Object.getOwnPropertyDescriptor(out, 'g')?.value).toEqual({ plain: 1 });
    });

    it('refuses an unregistered instance a getter returns on its one read', () => {
      let reads = 0;
      const value = {
        list: [1, {
          get g(): object {
            reads++;
            return new Secret();
          },
        }],
      };
      expect(caught(() => serialize(value, options)).path).toBe('root.list[1].g');
      expect(reads).toBe(1);
    });

    it('sends Object.prototype as the receiving realm\'s Object.prototype', async () => {
      const out = await send({ proto: Object.prototype, again: Object.prototype, list: [Object.prototype] });
      expect(out.proto === Object.prototype).toBe(true);
      expect(out.again === Object.prototype).toBe(true);
      expect(out.list[0] === Object.prototype).toBe(true);
      expect((await send(Object.prototype)) === Object.prototype).toBe(true);
    });

    it('sends URL and URLSearchParams', async () => {
      const url = new URL('https://example.test:8443/a/b?c=1&d=%20#frag');
      const params = new URLSearchParams('x=1&x=2&y=%F0%9F%A5%92');
      const out = await send({ url, params, again: url });
      expect(out.url).toBeInstanceOf(URL);
      expect(out.url.href).toBe(url.href);
      expect(out.again).toBe(out.url);
      expect(out.params).toBeInstanceOf(URLSearchParams);
      expect(out.params.getAll('x')).toEqual(['1', '2']);
      expect(out.params.toString()).toBe(params.toString());
    });

    it('sends well-known symbols as themselves', async () => {
      const known = [Symbol.iterator, Symbol.asyncIterator, Symbol.hasInstance, Symbol.toPrimitive, Symbol.toStringTag, Symbol.species];
      const out = await send({ known, key: new Map([[Symbol.iterator, 1]]), one: Symbol.asyncIterator });
      expect(out.known).toEqual(known);
      out.known.forEach((symbol, i) => expect(symbol === known[i]).toBe(true));
      expect(out.key.get(Symbol.iterator)).toBe(1);
      expect(out.one === Symbol.asyncIterator).toBe(true);
      expect(caught(() => serialize({ s: Symbol('local') }, options)).path).toBe('root.s');
    });

    it('keeps frozen, sealed and non-extensible objects so', async () => {
      const frozen = Object.freeze({ a: 1, inner: { b: 2 } });
      const sealed = Object.seal({ c: 3 });
      const closed = Object.preventExtensions({ d: 4 });
      const list = Object.freeze([1, 2]);
      const instance = Object.freeze(new Kept(5));
      const map = Object.freeze(new Map([[1, 2]]));
      const out = await send({ frozen, sealed, closed, list, instance, map, open: { e: 5 } });
      expect(Object.isFrozen(out.frozen)).toBe(true);
      expect(Object.isFrozen(out.frozen.inner)).toBe(false);
      expect(Object.isSealed(out.sealed) && !Object.isFrozen(out.sealed)).toBe(true);
      expect(Object.isExtensible(out.closed) || Object.isSealed(out.closed)).toBe(false);
      expect(Object.isFrozen(out.list)).toBe(true);
      expect(out.instance).toBeInstanceOf(Kept);
      expect(Object.isFrozen(out.instance)).toBe(true);
      expect(Object.isFrozen(out.map) && out.map.get(1) === 2).toBe(true);
      expect(Object.isExtensible(out.open)).toBe(true);
      expect([out.frozen.a, out.sealed.c, out.closed.d, out.list[1], out.instance.n]).toEqual([1, 3, 4, 2, 5]);
    });
  });
}

describe('cucumber send path: what refuses reaches the caller as a SerializationError', () => {
  it('raises SerializationError, never the host\'s error', () => {
    const buffer = resizable();
    const data = new DataView(buffer, 4, 4);
    buffer.resize(0);
    for (const bytes of [false, true]) {
      expect(caught(() => serialize({ data }, { bytes }))).toBeInstanceOf(SerializationError);
    }
  });
});
