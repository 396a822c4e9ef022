import { describe, expect, it } from 'vitest';
import { ProcessError, RunError, SerializationError } from '../src/errors.ts';
import { register, registrationOf } from '../src/runtime/registry.ts';
import { cucumber, deserialize, registerClass, serialize, transferablesOf, type SerializeOptions } from '../src/serializer/index.ts';
import type { Envelope } from '../src/serializer/protocol.ts';
import { caught } from './helpers/caught.ts';

/** Round trip through a REAL structured clone, as postMessage does. */
function roundTrip<T>(value: T, options?: SerializeOptions): T {
  return deserialize(structuredClone(serialize(value, options))) as T;
}

function envelopeOf(value: unknown, options?: SerializeOptions): Envelope {
  return serialize(value, options) as Envelope;
}


class Point {
  static constructed = 0;
  x: number;
  y: number;
  _cache: number | null = null;
  constructor(x: number, y: number) {
    Point.constructed++;
    this.x = x;
    this.y = y;
  }
  get length(): number {
    return Math.hypot(this.x, this.y);
  }
  scale(k: number): Point {
    return new Point(this.x * k, this.y * k);
  }
}
registerClass(Point, 'test:Point');

class Point3 extends Point {
  z: number;
  constructor(x: number, y: number, z: number) {
    super(x, y);
    this.z = z;
  }
  get sum(): number {
    return this.x + this.y + this.z;
  }
}
registerClass(Point3, 'test:Point3');

/** A registered Map subclass: structured clone carries the entries, the prototype comes back. */
class Registry extends Map<string, unknown> {
  lookupOr(key: string, fallback: unknown): unknown {
    return this.has(key) ? this.get(key) : fallback;
  }
}
registerClass(Registry, 'test:Registry');

/** A subclass of a registered class that is not registered itself. */
class LoosePoint extends Point {}

class Node2 {
  next: Node2 | null = null;
  constructor(public label: string) {}
}
registerClass(Node2, 'test:Node2');

/** Keeps its state in #private fields: opts in with toState / fromState. */
class Stopwatch {
  static rebuilt = 0;
  #times: number[] = [];
  add(ms: number): void {
    this.#times.push(ms);
  }
  get total(): number {
    return this.#times.reduce((a, b) => a + b, 0);
  }
  toState(): { times: number[] } {
    return { times: [...this.#times] };
  }
  static fromState(state: { times: number[] }): Stopwatch {
    Stopwatch.rebuilt++;
    const watch = new Stopwatch();
    for (const ms of state.times) watch.add(ms);
    return watch;
  }
}
registerClass(Stopwatch, 'test:Stopwatch');

/** A toState class whose state holds other things that need fixing up. */
class Bag {
  #items: unknown[];
  constructor(items: unknown[]) {
    this.#items = items;
  }
  get items(): unknown[] {
    return this.#items;
  }
  toState(): unknown[] {
    return this.#items;
  }
  static fromState(items: unknown[]): Bag {
    // fromState must see a finished state: prototypes restored, placeholders replaced.
    for (const item of items) if (item instanceof Point) void item.length;
    return new Bag(items);
  }
}
registerClass(Bag, 'test:Bag');

class AppError extends Error {
  code: string;
  constructor(message: string, code: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
  describe(): string {
    return `${this.code}: ${this.message}`;
  }
}
Object.defineProperty(AppError.prototype, 'name', { value: 'AppError', writable: true, configurable: true });
registerClass(AppError, 'test:AppError');

/** Unregistered, name on the prototype. */
class QuotaError extends RangeError {}
Object.defineProperty(QuotaError.prototype, 'name', { value: 'QuotaError', writable: true, configurable: true });

/** Unregistered, name as an own field. */
class LocalError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = 'LocalError';
  }
}

function square(x: number): number {
  return x * x;
}
register(square, { id: 'test:square' });

for (const [cls, id] of [[ProcessError, 'suitkaise:ProcessError'], [RunError, 'suitkaise:RunError'], [SerializationError, 'suitkaise:SerializationError']] as const) {
  if (registrationOf(cls) === undefined) registerClass(cls, id);
}

describe('cucumber: registered classes', () => {
  it('restores prototype, methods and getters without re-running the constructor', () => {
    const p = new Point(3, 4);
    p._cache = 7;
    const before = Point.constructed;
    const q = roundTrip(p);
    expect(Point.constructed).toBe(before);
    expect(q).not.toBe(p);
    expect(q).toBeInstanceOf(Point);
    expect(q.length).toBe(5);
    expect(q.scale(2)).toEqual(new Point(6, 8));
    expect({ ...q }).toEqual({ x: 3, y: 4, _cache: 7 });
  });

  it('restores the exact subclass', () => {
    const [a, b] = roundTrip([new Point3(1, 2, 3), new Point(1, 1)]);
    expect(Object.getPrototypeOf(a)).toBe(Point3.prototype);
    expect(a.sum).toBe(6);
    expect(a.length).toBeCloseTo(Math.sqrt(5));
    expect(Object.getPrototypeOf(b)).toBe(Point.prototype);
  });

  it('does not copy the graph when nothing has to be substituted', () => {
    const value = { points: [new Point(1, 2)], when: new Date(0) };
    expect(envelopeOf(value).root).toBe(value);
  });

  it('keeps cycles and shared references', () => {
    const a = new Node2('a');
    const b = new Node2('b');
    a.next = b;
    b.next = a;
    const shared = { n: 1 };
    const self: Record<string, unknown> = { a, b, shared, again: shared, list: [shared, a] };
    self.self = self;
    const out = roundTrip(self);
    const oa = out.a as Node2;
    expect(out.self).toBe(out);
    expect(out.again).toBe(out.shared);
    expect((out.list as unknown[])[0]).toBe(out.shared);
    expect((out.list as unknown[])[1]).toBe(oa);
    expect(oa).toBeInstanceOf(Node2);
    expect(oa.next!.next).toBe(oa);
    expect(oa.next).toBe(out.b);
  });

  it('restores registered instances inside Maps and Sets', () => {
    const p = new Point(1, 2);
    const out = roundTrip({ m: new Map<unknown, unknown>([[p, 'key'], ['value', p]]), s: new Set([p]) });
    const [key] = out.m.keys();
    expect(key).toBeInstanceOf(Point);
    expect(out.m.get('value')).toBe(key);
    expect([...out.s][0]).toBe(key);
  });

  it('restores a registered Map subclass with its entries', () => {
    const registry = new Registry([['p', new Point(1, 0)]]);
    const out = roundTrip({ registry, plain: registry });
    expect(out.registry).toBeInstanceOf(Registry);
    expect(out.registry.lookupOr('p', null)).toBeInstanceOf(Point);
    expect(out.registry.lookupOr('q', 7)).toBe(7);
    expect(out.plain).toBe(out.registry);
  });

  it('writes a versioned envelope and a frozen facade', () => {
    expect(serialize(1)).toMatchObject({ format: 'suitkaise/cucumber', version: 1 });
    expect(Object.isFrozen(cucumber)).toBe(true);
  });

  it('registerClass: default id is cls.name, an existing id is kept, a taken name throws', () => {
    class Fresh {}
    expect(cucumber.register(Fresh)).toBe(Fresh);
    expect(registrationOf(Fresh)?.id).toBe('Fresh');
    expect(registerClass(Point)).toBe(Point);
    expect(registrationOf(Point)?.id).toBe('test:Point');
    const Other = (() => class Fresh {})();
    expect(() => registerClass(Other)).toThrow(/already taken by a different class/);
    expect(registerClass(Other, 'test:OtherFresh')).toBe(Other);
    expect(() => registerClass(class {} as typeof Fresh)).toThrow(/needs an explicit id/);
  });
});

describe('cucumber: what structured clone carries natively', () => {
  it('round-trips primitives and built-ins', () => {
    const sparse: unknown[] = [1];
    sparse[5] = 'x';
    const nullProto = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
    const buffer = new ArrayBuffer(8);
    const value = {
      big: 12345678901234567890n, negZero: -0, undef: undefined, nan: Number.NaN, inf: -Infinity, str: 'é',
      date: new Date(1_700_000_000_000), re: /a+b/gi,
      map: new Map<unknown, unknown>([[1, { deep: new Set([2]) }], [{ k: 1 }, 'obj key']]), set: new Set(['a', 1n]),
      sparse, nullProto, buffer, view: new DataView(buffer, 2), u8: new Uint8Array([1, 2, 3]),
      f64: new Float64Array([1.5, -0]), i64: new BigInt64Array([-1n]), boxed: [Object(1), Object('s'), Object(true), Object(2n)],
      blob: new Blob(['hi']),
    };
    const out = roundTrip(value);
    expect(out.big).toBe(value.big);
    expect(Object.is(out.negZero, -0)).toBe(true);
    expect('undef' in out && out.undef === undefined).toBe(true);
    expect(out.nan).toBeNaN();
    expect(out.date.getTime()).toBe(value.date.getTime());
    expect(out.re.source).toBe('a+b');
    expect(out.re.flags).toBe('gi');
    expect(out.map).toEqual(value.map);
    expect(out.set).toEqual(value.set);
    expect(out.sparse.length).toBe(6);
    expect(1 in out.sparse).toBe(false);
    expect(out.sparse[5]).toBe('x');
    expect(Object.getPrototypeOf(out.nullProto)).toBeNull();
    expect(out.view.buffer).toBe(out.buffer);
    expect([...out.u8]).toEqual([1, 2, 3]);
    expect(Object.is(out.f64[1], -0)).toBe(true);
    expect(out.i64[0]).toBe(-1n);
    expect(out.boxed.map((b: { valueOf(): unknown }) => b.valueOf())).toEqual([1, 's', true, 2n]);
    expect(out.blob).toBeInstanceOf(Blob);
    expect(out.blob.size).toBe(2);
    expect(roundTrip(undefined)).toBeUndefined();
    expect(Object.is(roundTrip(-0), -0)).toBe(true);
  });

  it("keeps a RegExp's lastIndex, which structured clone alone resets", () => {
    const sticky = /a/gy;
    sticky.lastIndex = 3;
    const fresh = /b/g;
    const shared = { sticky, again: sticky, fresh, inError: new TypeError('e', { cause: sticky }) };
    expect(structuredClone(sticky).lastIndex).toBe(0);
    const out = roundTrip(shared);
    expect(out.sticky.lastIndex).toBe(3);
    expect(out.again).toBe(out.sticky);
    expect(out.fresh.lastIndex).toBe(0);
    expect((out.inError.cause as RegExp).lastIndex).toBe(3);
    expect(roundTrip(sticky).lastIndex).toBe(3);
    expect(envelopeOf(fresh).lastIndex).toBeUndefined();
  });

  it('keeps an own __proto__ key as data and never touches Object.prototype', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "f": 1}') as Record<string, unknown>;
    value.fn = square; // forces the copy-on-write path
    const out = roundTrip(value);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(out.fn).toBe(square);
  });
});

describe('cucumber: errors', () => {
  it('round-trips built-in errors with message, stack and cause', () => {
    const type = new TypeError('bad type', { cause: 42 });
    const range = new RangeError('out of range');
    const out = roundTrip({ type, range });
    expect(out.type).toBeInstanceOf(TypeError);
    expect(out.type.message).toBe('bad type');
    expect(out.type.stack).toBe(type.stack);
    expect(out.type.cause).toBe(42);
    expect(out.range).toBeInstanceOf(RangeError);
    expect(Object.hasOwn(out.range, 'cause')).toBe(false);
  });

  it('round-trips AggregateError with its errors', () => {
    const inner = new Point(1, 1);
    const aggregate = new AggregateError([new Error('one'), new SyntaxError('two'), inner], 'many');
    const out = roundTrip(aggregate);
    expect(out).toBeInstanceOf(AggregateError);
    expect(out.message).toBe('many');
    expect(out.errors).toHaveLength(3);
    expect(out.errors[0]).toBeInstanceOf(Error);
    expect(out.errors[1]).toBeInstanceOf(SyntaxError);
    expect(out.errors[1].message).toBe('two');
    expect(out.errors[2]).toBeInstanceOf(Point);
  });

  it('round-trips a registered error with its cause chain and own properties', () => {
    const root = new Error('disk full');
    const middle = new AppError('write failed', 'EWRITE', { cause: root });
    const top = new AppError('save failed', 'ESAVE', { cause: middle });
    (top as AppError & { context: unknown }).context = { file: 'a.txt', at: new Point(0, 1) };
    const out = roundTrip(top) as AppError & { context: { file: string; at: Point } };
    expect(out).toBeInstanceOf(AppError);
    expect(out.name).toBe('AppError');
    expect(out.describe()).toBe('ESAVE: save failed');
    expect(out.stack).toBe(top.stack);
    expect(out.context.at).toBeInstanceOf(Point);
    const outMiddle = out.cause as AppError;
    expect(outMiddle).toBeInstanceOf(AppError);
    expect(outMiddle.code).toBe('EWRITE');
    expect(outMiddle.cause).toBeInstanceOf(Error);
    expect((outMiddle.cause as Error).message).toBe('disk full');
    expect(Object.keys(out).sort()).toEqual(['code', 'context']);
  });

  it('round-trips suitkaise errors with currentRun, originalError, section, path', () => {
    const original = new AppError('boom', 'E1');
    const run = new RunError(original, 3);
    const out = roundTrip({ run, ser: new SerializationError('nope', 'root.a[1]', original) });
    expect(out.run).toBeInstanceOf(RunError);
    expect(out.run).toBeInstanceOf(ProcessError);
    expect(out.run.message).toBe(run.message);
    expect(out.run.currentRun).toBe(3);
    expect(out.run.section).toBe('run');
    expect(out.run.originalError).toBeInstanceOf(AppError);
    expect(out.run.cause).toBe(out.run.originalError);
    expect(out.ser.originalError).toBe(out.run.originalError);
    expect(out.ser).toBeInstanceOf(SerializationError);
    expect(out.ser.path).toBe('root.a[1]');
  });

  it('rebuilds unregistered error subclasses as the nearest built-in, keeping the name', () => {
    const out = roundTrip([new QuotaError('too much'), new LocalError('local')]);
    expect(out[0]).toBeInstanceOf(RangeError);
    expect(out[0].name).toBe('QuotaError');
    expect(out[0].message).toBe('too much');
    expect(out[1]).toBeInstanceOf(TypeError);
    expect(out[1].name).toBe('LocalError');
  });

  it('keeps errors in cycles and shared between places', () => {
    const error = new Error('loop') as Error & { owner?: unknown };
    const owner = { error, list: [error] };
    error.owner = owner;
    const out = roundTrip(owner);
    expect(out.error).toBe(out.list[0]);
    expect((out.error as Error & { owner?: unknown }).owner).toBe(out);
  });

  it('round-trips DOMException with its name', () => {
    const out = roundTrip(new DOMException('stopped', 'AbortError'));
    expect(out).toBeInstanceOf(Error);
    expect(out.name).toBe('AbortError');
    expect(out.message).toBe('stopped');
  });
});

describe('cucumber: substitution', () => {
  it('rebuilds a toState class once and points every reference at it', () => {
    const watch = new Stopwatch();
    watch.add(10);
    watch.add(5);
    const untouched = { big: [1, 2, 3] };
    const value = { a: watch, nested: { again: watch, list: [watch] }, untouched, m: new Map([['w', watch]]) };
    const before = Stopwatch.rebuilt;
    const envelope = envelopeOf(value);
    expect((envelope.root as typeof value).untouched).toBe(untouched); // only the path to the placeholder is copied
    const out = deserialize(structuredClone(envelope)) as typeof value;
    expect(Stopwatch.rebuilt).toBe(before + 1);
    expect(out.a).toBeInstanceOf(Stopwatch);
    expect(out.a.total).toBe(15);
    expect(out.nested.again).toBe(out.a);
    expect(out.nested.list[0]).toBe(out.a);
    expect(out.m.get('w')).toBe(out.a);
    expect(watch.total).toBe(15);
    expect(value.nested.again).toBe(watch); // the caller's graph is not modified
  });

  it('gives fromState a finished state, nested toState objects first', () => {
    const inner = new Stopwatch();
    inner.add(2);
    const point = new Point(3, 4);
    const bag = new Bag([point, inner, square, Symbol.for('tag')]);
    const out = roundTrip({ bag, point, inner });
    expect(out.bag).toBeInstanceOf(Bag);
    const items = out.bag.items;
    expect(items[0]).toBe(out.point);
    expect(out.point).toBeInstanceOf(Point);
    expect(items[1]).toBe(out.inner);
    expect(out.inner.total).toBe(2);
    expect(items[2]).toBe(square);
    expect(items[3]).toBe(Symbol.for('tag'));
  });

  it('refuses a toState result that refers back to its own instance', () => {
    const holder: { bag?: Bag } = {};
    const bag = new Bag([holder]);
    holder.bag = bag;
    const error = caught(() => serialize({ holder }));
    expect(error.path).toBe('root.holder.bag');
    expect(error.message).toMatch(/refers back to the instance/);
  });

  it('rebuilds an error whose cause is a toState instance, and cycles through copied containers', () => {
    const watch = new Stopwatch();
    watch.add(3);
    const error = new AppError('timed', 'ETIME', { cause: watch });
    const node = new Node2('n');
    const loop: Record<string, unknown> = { fn: square, node, error };
    loop.self = loop;
    node.next = node;
    (node as Node2 & { owner?: unknown }).owner = loop; // node is copied too: it reaches a placeholder
    const out = roundTrip(loop);
    expect(out.self).toBe(out);
    expect(out.fn).toBe(square);
    const outNode = out.node as Node2 & { owner?: unknown };
    expect(outNode).toBeInstanceOf(Node2);
    expect(outNode.next).toBe(outNode);
    expect(outNode.owner).toBe(out);
    const outError = out.error as AppError;
    expect(outError.cause).toBeInstanceOf(Stopwatch);
    expect((outError.cause as Stopwatch).total).toBe(3);
  });

  it('sends registered functions by reference and Symbol.for symbols', () => {
    const handlers = [square, square];
    const out = roundTrip({ handlers, sym: Symbol.for('suitkaise:test'), byFn: new Map([[square, 1]]), set: new Set([Symbol.for('x')]) });
    expect(out.handlers[0]).toBe(square);
    expect(out.handlers[1]).toBe(square);
    expect(out.sym).toBe(Symbol.for('suitkaise:test'));
    expect(out.byFn.get(square)).toBe(1);
    expect(out.set.has(Symbol.for('x'))).toBe(true);
    expect(roundTrip(square)).toBe(square);
    expect(roundTrip(Point)).toBe(Point);
  });

  it('keeps -0, holes and registered copies on the copy-on-write path', () => {
    const sparse: unknown[] = [-0, square];
    sparse[4] = new Point(1, 1);
    const a = new Node2('a');
    a.next = a;
    const out = roundTrip({ sparse, a, fn: square, nullProto: Object.assign(Object.create(null) as object, { fn: square }) });
    expect(Object.is(out.sparse[0], -0)).toBe(true);
    expect(2 in out.sparse).toBe(false);
    expect(out.sparse[4]).toBeInstanceOf(Point);
    expect(out.a.next).toBe(out.a);
    expect(Object.getPrototypeOf(out.nullProto)).toBeNull();
  });
});

describe('cucumber: values that cannot be sent', () => {
  const cases: Array<[string, () => unknown, string, RegExp]> = [
    ['an unregistered function', () => ({ handlers: [square, square, () => 1] }), 'root.handlers[2]', /export it and wrap it with sk\(\)/],
    ['a closure in a Map key', () => ({ byKey: new Map<unknown, number>([[1, 1], ['b', 2], [{}, 3], [function local() {}, 4]]) }), 'root.byKey<Map key 3>', /function 'local'/],
    ['a Map value', () => ({ m: new Map([['k', new WeakMap()]]) }), 'root.m<Map value 0>', /WeakMap/],
    ['an unregistered class instance', () => ({ state: { sock: new (class Socket {})() } }), 'root.state.sock', /register the class with @sk\(\) or cucumber\.register\(Socket\), or pass \{ lossy: true \}/],
    ['an unregistered subclass of a registered class', () => ({ p: new LoosePoint(1, 2) }), 'root.p', /LoosePoint/],
    ['a plain Symbol', () => ({ s: new Set([1, Symbol('local')]) }), 'root.s<Set item 1>', /Symbol\.for/],
    ['a Promise', () => ({ pending: Promise.resolve(1) }), 'root.pending', /await it/],
    ['a WeakSet', () => [new WeakSet()], 'root[0]', /WeakSet/],
    ['a WeakRef', () => ({ ref: new WeakRef({}) }), 'root.ref', /deref/],
    ['an unregistered class', () => ({ cls: class Widget {} }), 'root.cls', /class 'Widget'/],
    ['a function inside an error', () => ({ err: Object.assign(new Error('x'), { retry: () => 1 }) }), 'root.err.retry', /function 'retry'/],
    ['a function in a cause', () => ({ err: new Error('x', { cause: { fn: () => 1 } }) }), 'root.err.cause.fn', /function 'fn'/],
    ['a function in a toState result', () => ({ bag: new Bag([1, () => 2]) }), 'root.bag<toState()>[1]', /anonymous function/],
    ['an odd key', () => ({ 'odd key': [() => 1] }), 'root["odd key"][0]', /function/],
    ['the root itself', () => () => 1, 'root', /function/],
  ];
  for (const [what, make, path, message] of cases) {
    it(`throws SerializationError for ${what} at ${path}`, () => {
      const error = caught(() => serialize(make()));
      expect(error.path).toBe(path);
      expect(error.message).toMatch(message);
    });
  }

  it('lossy: sends unregistered instances as plain objects', () => {
    const sock = new (class Socket {
      host = 'h';
      port = 1;
      get url(): string {
        return `${this.host}:${this.port}`;
      }
    })();
    const out = roundTrip({ sock, p: new LoosePoint(1, 2), keep: new Point(0, 0) }, { lossy: true });
    expect(Object.getPrototypeOf(out.sock)).toBe(Object.prototype);
    expect(out.sock).toEqual({ host: 'h', port: 1 });
    expect(Object.getPrototypeOf(out.p)).toBe(Object.prototype);
    expect(out.keep).toBeInstanceOf(Point);
    expect(() => serialize({ f: () => 1 }, { lossy: true })).toThrow(SerializationError);
  });
});

describe('cucumber: deserialize accepts only what serialize produced', () => {
  const valid = (): Record<string, unknown> => structuredClone(serialize({ p: new Point(1, 2) })) as unknown as Record<string, unknown>;

  it.each([
    ['null', null],
    ['a number', 42],
    ['a string', 'suitkaise/cucumber'],
    ['an array', []],
    ['a plain object', { root: 1 }],
    ['a wrong marker', { format: 'superjson', version: 1, root: 1 }],
    ['a wrong version', { format: 'suitkaise/cucumber', version: 2, root: 1 }],
    ['no root', { format: 'suitkaise/cucumber', version: 1 }],
    ['a malformed side table', { format: 'suitkaise/cucumber', version: 1, root: 1, instances: 'x' }],
    ['an unknown placeholder', { format: 'suitkaise/cucumber', version: 1, root: 1, subs: [{ k: 'eval', code: '1' }] }],
    ['an unknown function id', { format: 'suitkaise/cucumber', version: 1, root: 1, subs: [{ k: 'fn', id: 'nope' }] }],
    ['a refused error key', { format: 'suitkaise/cucumber', version: 1, root: 1, subs: [{ k: 'error', base: 'Error', props: ['__proto__', 1] }], fix: [0] }],
    ['an unknown error class', { format: 'suitkaise/cucumber', version: 1, root: 1, subs: [{ k: 'error', base: 'Function', props: [] }] }],
  ])('rejects %s', (_what, data) => {
    expect(() => deserialize(data)).toThrow(SerializationError);
  });

  it('never writes a refused key, even when a crafted envelope asks it to', () => {
    const placeholder = { k: 'sym', key: 'x' };
    const root = {};
    Object.defineProperty(root, '__proto__', { value: placeholder, enumerable: true, writable: true, configurable: true });
    const data = { format: 'suitkaise/cucumber', version: 1, root, subs: [placeholder], fix: [root] };
    expect(caught(() => deserialize(data)).message).toMatch(/'__proto__' is refused/);
    expect(Object.getPrototypeOf(root)).toBe(Object.prototype);
  });

  it('rejects side tables that do not fit together', () => {
    const state = { k: 'state', id: 'test:Stopwatch', state: { times: [] } };
    const holder = { w: state };
    const outOfOrder = { format: 'suitkaise/cucumber', version: 1, root: holder, subs: [state], fix: [holder, 0] };
    expect(caught(() => deserialize(outOfOrder)).message).toMatch(/before it is rebuilt/);
    const badIndex = { format: 'suitkaise/cucumber', version: 1, root: {}, classes: ['test:Point'], instances: [{}, 3] };
    expect(() => deserialize(badIndex)).toThrow(SerializationError);
  });

  it('rejects an unknown class id without instantiating anything', () => {
    const data = valid();
    data.classes = ['test:NotRegistered'];
    const error = caught(() => deserialize(data));
    expect(error.message).toMatch(/unknown class id 'test:NotRegistered'/);
  });

  it('says which version it reads', () => {
    const data = { ...valid(), version: 2 };
    expect(caught(() => deserialize(data)).message).toMatch(/version 2 is not supported/);
  });
});

describe('cucumber: depth and transport', () => {
  it('walks a 100k-deep chain without overflowing the stack: refused in the clone form, carried in bytes', () => {
    type Link = { next: Link | null; n: number; fn?: unknown };
    const chain = (length: number): [Link, Link] => {
      const head: Link = { next: null, n: 0 };
      let tail = head;
      for (let i = 1; i < length; i++) tail = tail.next = { next: null, n: i };
      return [head, tail];
    };
    const depthOf = (head: Link): number => {
      let depth = 1;
      for (let at = head; at.next; at = at.next) depth++;
      return depth;
    };
    const [head, tail] = chain(100_000);
    // Structured clone recurses per level: postMessage would throw a RangeError with no path.
    expect(caught(() => serialize(head)).path).toMatch(/^root(\.next)+$/);
    expect(depthOf(deserialize(serialize(head, { bytes: true })) as Link)).toBe(100_000);
    tail.fn = square; // the copy-on-write path, too
    expect(caught(() => serialize(head)).message).toMatch(/nested too deeply/);
    // The copy-on-write path over a chain as long as structured clone carries.
    const [short, end] = chain(1000);
    end.fn = square;
    const out = deserialize(structuredClone(serialize(short))) as Link;
    expect(depthOf(out)).toBe(1000);
    let last = out;
    while (last.next) last = last.next;
    expect(last.fn === square).toBe(true);
    expect(short.next === out.next).toBe(false); // the caller's chain was copied, not changed
    expect(end.fn === square).toBe(true);
  });

  it('lists MessagePorts for the transfer list and delivers them working', async () => {
    const outer = new MessageChannel();
    const inner = new MessageChannel();
    try {
      const value = { reply: inner.port2, again: inner.port2, point: new Point(1, 2) };
      const envelope = cucumber.serialize(value);
      expect(transferablesOf(envelope)).toEqual([inner.port2]);
      expect(cucumber.transferablesOf).toBe(transferablesOf);
      expect(transferablesOf(cucumber.serialize({ plain: 1 }))).toEqual([]);
      // Whatever serialize returned: the byte form holds no ports.
      expect(transferablesOf(cucumber.serialize({ plain: 1 }, { bytes: true }))).toEqual([]);
      expect(transferablesOf(envelope)).not.toBe(transferablesOf(envelope)); // a fresh list each call
      const received = new Promise<unknown>((resolve) => {
        outer.port2.onmessage = (event: MessageEvent) => resolve(event.data);
      });
      outer.port1.postMessage(envelope, transferablesOf(envelope));
      const out = cucumber.deserialize(await received) as typeof value;
      expect(out.again).toBe(out.reply);
      expect(out.point).toBeInstanceOf(Point);
      const echoed = new Promise<unknown>((resolve) => {
        inner.port1.onmessage = (event: MessageEvent) => resolve(event.data);
      });
      out.reply.postMessage('through the moved port');
      expect(await echoed).toBe('through the moved port');
      expect(caught(() => cucumber.serialize({ port: new MessageChannel().port1 }, { bytes: true }))).toBeInstanceOf(SerializationError);
    } finally {
      for (const port of [outer.port1, outer.port2, inner.port1, inner.port2]) port.close();
    }
  });

  it('round-trips through a real MessageChannel', async () => {
    const watch = new Stopwatch();
    watch.add(7);
    const value = { p: new Point3(1, 2, 3), watch, err: new RunError(new AppError('x', 'E'), 1), fn: square };
    const channel = new MessageChannel();
    try {
      const received = new Promise<unknown>((resolve) => {
        channel.port2.onmessage = (event: MessageEvent) => resolve(event.data);
      });
      channel.port1.postMessage(cucumber.serialize(value));
      const out = cucumber.deserialize(await received) as typeof value;
      expect(out.p).toBeInstanceOf(Point3);
      expect(out.p.sum).toBe(6);
      expect(out.watch.total).toBe(7);
      expect(out.err).toBeInstanceOf(RunError);
      expect(out.err.originalError).toBeInstanceOf(AppError);
      expect(out.fn).toBe(square);
    } finally {
      channel.port1.close();
      channel.port2.close();
    }
  });
});
