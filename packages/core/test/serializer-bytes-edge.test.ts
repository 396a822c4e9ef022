// Byte-form values a fuzzing review found mishandled, on the one-pass writer and on the general path.
import { describe, expect, it } from 'vitest';
import { deserialize, registerClass, serialize, type SerializeOptions } from '../src/serializer/index.ts';
import { caught } from './helpers/caught.ts';

type Trip = <T>(value: T, options?: SerializeOptions) => T;

const paths: Record<string, Trip> = {
  'one pass': (value, options) => deserialize(serialize(value, { ...options, bytes: true })) as typeof value,
  // A Symbol.for symbol beside the value makes the one-pass writer hand over to the general path.
  'general path': (value, options) =>
    (deserialize(serialize({ value, force: Symbol.for('test:bytes-edge') }, { ...options, bytes: true })) as { value: typeof value }).value,
};

/** Serialize `value` to bytes with a Symbol.for symbol beside it (the general path), expecting a SerializationError. */
const refusedGeneral = (value: unknown) => caught(() => serialize({ value, force: Symbol.for('test:bytes-edge') }, { bytes: true }));

for (const [path, trip] of Object.entries(paths)) {
  describe(`cucumber byte form edge cases (${path})`, () => {
    it('keeps a leading U+FEFF (BOM) in long and short strings: values, keys, Map keys, Set members, RegExp sources', () => {
      const strings = ['\uFEFF', '\uFEFFshort', `\uFEFF${'x'.repeat(70)}`, `\uFEFF${'é'.repeat(200)}`, `\uFEFF${'y'.repeat(70_000)}`, 'x\uFEFF'];
      for (const s of strings) {
        const value = { s, list: [s], [s]: 1, map: new Map([[s, s]]), set: new Set([s]), re: new RegExp(s), boxed: Object(s) as object };
        const out = trip(value);
        expect(out.s).toBe(s);
        expect(out.list[0]).toBe(s);
        expect(Object.keys(out)).toContain(s);
        expect([...out.map]).toEqual([[s, s]]);
        expect([...out.set]).toEqual([s]);
        expect(out.re.source).toBe(value.re.source);
        expect(out.boxed.valueOf()).toBe(s);
      }
    });

    it('keeps a RegExp whose source has lone surrogates', () => {
      const value = { r: new RegExp('\uD800'), y: new RegExp('a\uDC00|b', 'g') };
      const out = trip(value);
      expect(out.r.source).toBe('\uD800');
      expect([out.y.source, out.y.flags]).toEqual(['a\uDC00|b', 'g']);
    });

    it('decides a typed array by its slots, not by the first object seen with its prototype', () => {
      class Bytes extends Uint8Array {}
      registerClass(Bytes, `test:bytes-edge:Bytes:${path}`);
      const fake = Object.create(Bytes.prototype) as object;
      // msgpackr's writer cannot write an object that claims to be a typed array: refused, and nothing remembered.
      caught(() => serialize({ fake, s: Symbol.for('test:k') }, { bytes: true }));
      const out = trip({ real: new Bytes([1, 2, 3]), again: new Bytes([4]) });
      expect(out.real).toBeInstanceOf(Bytes);
      expect([...out.real, ...out.again]).toEqual([1, 2, 3, 4]);
      caught(() => serialize({ fake: Object.create(Uint8Array.prototype) as object, s: Symbol.for('test:k') }, { bytes: true, lossy: true }));
      expect([...trip(new Uint8Array([5, 6]), { lossy: true })]).toEqual([5, 6]);
      if (path === 'one pass') {
        // Within one call too (the general path refuses the brand-less one, as above).
        const same = trip({ fake: Object.create(Bytes.prototype) as object, real: new Bytes([7]) }, { lossy: true });
        expect([...same.real]).toEqual([7]);
      }
    });

    it('writes a resizable ArrayBuffer as its bytes when written, though a getter resizes it later', () => {
      type Resizable = ArrayBuffer & { resize(size: number): void };
      const ResizableBuffer = ArrayBuffer as unknown as new (size: number, options: { maxByteLength: number }) => Resizable;
      if (typeof (ArrayBuffer.prototype as Partial<Resizable>).resize !== 'function') return;
      const data = [1, 2, 3, 4, 5, 6, 7, 8];
      const make = (size: number, nth: number) => {
        const rab = new ResizableBuffer(8, { maxByteLength: 16 });
        new Uint8Array(rab).set(data);
        let calls = 0;
        return { rab, get g() { if (++calls === nth) rab.resize(size); return 1; }, view: new Uint8Array(rab, 2) };
      };
      const first = trip(make(2, 1));
      expect([...new Uint8Array(first.rab)]).toEqual([1, 2]); // the getter runs once, before anything is written
      for (const size of [2, 16]) {
        for (let nth = 1; nth <= 5; nth++) {
          let out: ReturnType<typeof make>;
          try {
            out = trip(make(size, nth));
          } catch (error) {
            // Grown between the buffer and a view over it: refused rather than written inconsistent.
            expect(caught(() => { throw error; }).message).toMatch(/resized while the value was being written/);
            continue;
          }
          expect(out.view.buffer).toBe(out.rab);
          expect([...new Uint8Array(out.rab)]).toEqual([...data, 0, 0, 0, 0, 0, 0, 0, 0].slice(0, out.rab.byteLength));
          expect(out.view.byteOffset + out.view.byteLength).toBeLessThanOrEqual(out.rab.byteLength);
        }
      }
    });

    it('refuses a detached ArrayBuffer, or a view over one, with its path', () => {
      const detached = new ArrayBuffer(8);
      structuredClone(detached, { transfer: [detached] });
      const view = new Float64Array(new ArrayBuffer(16));
      structuredClone(view.buffer, { transfer: [view.buffer] });
      for (const [value, where] of [[{ deep: [detached] }, 'root.deep[0]'], [{ view }, 'root.view']] as const) {
        const error = path === 'one pass' ? caught(() => serialize(value, { bytes: true })) : refusedGeneral(value);
        expect(error.path).toBe(path === 'one pass' ? where : where.replace('root', 'root.value'));
        expect(error.message).toMatch(/detached ArrayBuffer/);
      }
    });

    it('never writes bytes it cannot read when a getter transfers an ArrayBuffer, whichever pass the getter runs in', () => {
      for (let nth = 1; nth <= 5; nth++) {
        const buffer = new ArrayBuffer(8);
        let calls = 0;
        const value = { buffer, view: new Uint8Array(buffer, 4), get g() { if (++calls === nth) structuredClone(buffer, { transfer: [buffer] }); return 1; } };
        let bytes: Uint8Array;
        try {
          bytes = serialize(path === 'one pass' ? value : { value, force: Symbol.for('test:bytes-edge') }, { bytes: true });
        } catch (error) {
          expect(caught(() => { throw error; }).message).toMatch(/detached/);
          continue;
        }
        expect(() => deserialize(bytes)).not.toThrow();
      }
    });
  });
}
