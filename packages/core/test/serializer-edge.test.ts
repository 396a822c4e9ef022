// Values a fuzzing review found mishandled, checked in the structured-clone form and on both paths of the byte form.
import { describe, expect, it } from 'vitest';
import { deserialize, registerClass, serialize, type SerializeOptions } from '../src/serializer/index.ts';

type Trip = <T>(value: T, options?: SerializeOptions) => T;

/** Each way a value travels: a real structured clone, the one-pass byte writer, the general byte path. */
const forms: Record<string, Trip> = {
  clone: (value, options) => deserialize(structuredClone(serialize(value, { ...options, bytes: false }))) as typeof value,
  'bytes, one pass': (value, options) => deserialize(serialize(value, { ...options, bytes: true })) as typeof value,
  // A Symbol.for symbol beside the value makes the one-pass writer hand over to the general path.
  'bytes, general path': (value, options) =>
    (deserialize(serialize({ value, force: Symbol.for('test:edge') }, { ...options, bytes: true })) as { value: typeof value }).value,
};

class Pattern extends RegExp {}
registerClass(Pattern, 'test:edge:Pattern');
class LooseId {
  id = 7;
}
registerClass(LooseId, 'test:edge:LooseId');
const twice = registerClass((x: number) => 2 * x, 'test:edge:twice');

const orphan = <T extends object>(value: T): T => Object.setPrototypeOf(value, null) as T;
/** A built-in accessor, read from an object without the prototype that has it. */
const accessor = (proto: object, key: string, obj: unknown): unknown => Object.getOwnPropertyDescriptor(proto, key)!.get!.call(obj);

for (const [form, trip] of Object.entries(forms)) {
  describe(`cucumber edge cases (${form})`, () => {
    it('keeps NaN (and other values equal to nothing) under a refused key such as constructor', () => {
      const out = trip({ constructor: Number.NaN, prototype: Number.NaN, list: [Number.NaN], s: Symbol.for('test:edge:s') });
      expect(Object.getOwnPropertyDescriptor(out, 'constructor')?.value).toBeNaN();
      expect(Object.getOwnPropertyDescriptor(out, 'prototype')?.value).toBeNaN();
      expect(out.list[0]).toBeNaN();
      expect(out.s).toBe(Symbol.for('test:edge:s'));
    });

    it('keeps the lastIndex of a registered or lossy RegExp subclass', () => {
      class LoosePattern extends RegExp {}
      const registered = new Pattern('a', 'g');
      registered.lastIndex = 3;
      const loose = new LoosePattern('b', 'y');
      loose.lastIndex = 5;
      const out = trip({ registered, loose }, { lossy: true });
      expect(out.registered).toBeInstanceOf(Pattern);
      expect([out.registered.source, out.registered.flags, out.registered.lastIndex]).toEqual(['a', 'g', 3]);
      expect(out.loose).toBeInstanceOf(RegExp);
      expect([out.loose.source, out.loose.flags, out.loose.lastIndex]).toEqual(['b', 'y', 5]);
    });

    it('sends a lastIndex that is no index (-1, 1.5, NaN, a string, an object) as 0, and reads it back', () => {
      for (const bad of [-1, 1.5, Number.NaN, 'q', {}, -0, Infinity]) {
        const re = /a/g;
        (re as { lastIndex: unknown }).lastIndex = bad;
        expect(trip({ re }).re.lastIndex).toBe(0);
      }
      const re = /a/g;
      re.lastIndex = 2 ** 40;
      expect(trip({ re }).re.lastIndex).toBe(2 ** 40);
    });

    it('keeps the data and the null prototype of built-ins without a prototype', () => {
      const map = orphan(new Map<unknown, unknown>([[1, 2], ['k\uD800', new LooseId()], ['f', twice]]));
      const set = orphan(new Set<unknown>(['a', new LooseId()]));
      const date = orphan(new Date(1_700_000_000_123));
      const bytes = orphan(new Uint16Array([1, 2, 65535]));
      const view = orphan(new DataView(new ArrayBuffer(4), 1, 2));
      const buffer = orphan(new Uint8Array([9, 8]).buffer);
      const re = orphan(new RegExp('x\uD800', 'gi'));
      re.lastIndex = 4;
      const list = orphan([1, , { n: 1 }]);
      const boxed = [orphan(Object(5) as object), orphan(Object('s') as object), orphan(Object(false) as object), orphan(Object(3n) as object)];
      const out = trip({ map, set, date, bytes, view, buffer, re, list, boxed });
      for (const value of [out.map, out.set, out.date, out.bytes, out.view, out.buffer, out.re, out.list, ...out.boxed]) {
        expect(Object.getPrototypeOf(value)).toBeNull();
      }
      const entries = [...Map.prototype.entries.call(out.map)];
      expect(entries.map(([key]) => key)).toEqual([1, 'k\uD800', 'f']);
      expect(entries[0]![1]).toBe(2);
      expect(entries[1]![1]).toBeInstanceOf(LooseId);
      expect(entries[2]![1]).toBe(twice);
      const members = [...Set.prototype.values.call(out.set)];
      expect(members[0]).toBe('a');
      expect(members[1]).toBeInstanceOf(LooseId);
      expect(Date.prototype.getTime.call(out.date)).toBe(1_700_000_000_123);
      expect([...Uint16Array.prototype.values.call(out.bytes)]).toEqual([1, 2, 65535]);
      expect([accessor(DataView.prototype, 'byteOffset', out.view), accessor(DataView.prototype, 'byteLength', out.view)]).toEqual([1, 2]);
      expect([...new Uint8Array(out.buffer as ArrayBuffer)]).toEqual([9, 8]);
      const flags = ['global', 'ignoreCase', 'sticky'].map((flag) => accessor(RegExp.prototype, flag, out.re));
      expect([accessor(RegExp.prototype, 'source', out.re), ...flags, out.re.lastIndex]).toEqual(['x\uD800', true, true, false, 4]);
      expect(Array.isArray(out.list)).toBe(true);
      expect([out.list.length, 1 in out.list, out.list[0], out.list[2]]).toEqual([3, false, 1, { n: 1 }]);
      const unbox = [Number, String, Boolean, BigInt].map((Box) => Box.prototype.valueOf as (this: unknown) => unknown);
      expect(unbox.map((valueOf, i) => valueOf.call(out.boxed[i]))).toEqual([5, 's', false, 3n]);
    });
  });
}
