/**
 * The pool's fast path for tiny tasks: an array of primitives that structured clone copies exactly
 * (numbers, strings, booleans, bigints, null, undefined) crosses as it is, without the serializer.
 */
import { deserialize, isPlainPrimitive, serialize, type SerializedValue } from '../serializer/index.ts';

/** Whether every value is a primitive structured clone copies exactly (not a symbol). */
export function allPlain(values: readonly unknown[]): boolean {
  for (let i = 0; i < values.length; i += 1) if (!isPlainPrimitive(values[i])) return false;
  return true;
}

/** `values` ready to post: as they are when plain, else serialized. */
export function packValues(values: unknown[]): { values: SerializedValue | unknown[]; plain: boolean } {
  return allPlain(values) ? { values, plain: true } : { values: serialize(values), plain: false };
}

/** The values {@link packValues} packed. */
export function unpackValues(values: SerializedValue | readonly unknown[], plain: boolean): unknown[] {
  return plain ? (values as unknown[]) : (deserialize(values) as unknown[]);
}
