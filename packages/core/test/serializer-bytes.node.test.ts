// Node only: values from another realm (a vm context), which a browser test cannot make without an iframe.
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { deserialize, serialize } from '../src/serializer/index.ts';

describe('cucumber byte form: values from another realm', () => {
  it('accepts typed arrays and DataViews of another realm as the structured-clone form does', () => {
    const foreign = runInNewContext('({ bytes: new Uint8Array([1, 2, 3]), view: new DataView(new ArrayBuffer(4), 1, 2), floats: new Float64Array([0.5]) })') as
      { bytes: Uint8Array; view: DataView; floats: Float64Array };
    expect(foreign.bytes.buffer instanceof ArrayBuffer).toBe(false);
    const clone = deserialize(structuredClone(serialize(foreign))) as typeof foreign;
    for (const out of [deserialize(serialize(foreign, { bytes: true })), clone] as Array<typeof foreign>) {
      expect(out.bytes).toBeInstanceOf(Uint8Array);
      expect([...out.bytes]).toEqual([1, 2, 3]);
      expect([out.view.byteOffset, out.view.byteLength]).toEqual([1, 2]);
      expect([...out.floats]).toEqual([0.5]);
    }
    const general = deserialize(serialize({ foreign, s: Symbol.for('test:realm') }, { bytes: true })) as { foreign: typeof foreign };
    expect([...general.foreign.bytes]).toEqual([1, 2, 3]);
  });
});
