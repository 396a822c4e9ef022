/**
 * The forms a Share keeps a value in, told apart by their first byte:
 * - a number: {@link NUMBER_TAG}, padding, the float64 at an 8-byte-aligned place, read and written
 *   in place (`share.counter += 1` is a lock, a read and a write of 8 bytes);
 * - plain data, what JSON carries exactly (plain objects and arrays of strings, finite numbers other
 *   than -0, booleans and null, with no object reached twice): {@link PLAIN_TAG}, then its JSON
 *   text in UTF-8. JSON.stringify and JSON.parse are native and several times faster than the
 *   general byte form for the small records a Share is mostly updated with;
 * - anything else: cucumber's byte form (it starts with its magic, `SKCU`).
 *
 * In memory a value on its way in or out is a {@link Form}: a number, the JSON text of plain data,
 * the byte form, or undefined (no value).
 */
import { SerializationError } from '../errors.ts';
import { deserialize, serialize } from '../serializer/index.ts';

/** First byte of a number's stored form. */
export const NUMBER_TAG = 0x4e;
/** Bytes of a number's stored form: the tag, 7 bytes of padding, the float64. */
export const NUMBER_BYTES = 16;
/** Where the float64 sits in a number's stored form. */
export const NUMBER_AT = 8;
/** First byte of plain data's stored form; its JSON text follows. */
export const PLAIN_TAG = 0x4a;

/** A value ready to store: a number, plain data's JSON text, the byte form; undefined deletes. */
export type Form = number | string | Uint8Array | undefined;

/** Plain data nested deeper than this goes through the byte form (which has its own limits). */
const MAX_PLAIN_DEPTH = 64;

/** Objects met during one {@link isPlainData} walk (kept between calls to save the allocation). */
const met = new Set<object>();

/** Whether JSON carries `value` exactly (see the module comment). */
export function isPlainData(value: unknown): boolean {
  try {
    return plain(value, 0);
  } finally {
    met.clear();
  }
}

function plain(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      // JSON has no NaN, Infinity or -0.
      return value - value === 0 && (value !== 0 || 1 / value > 0);
    case 'object':
      break;
    default:
      return false;
  }
  if (value === null) return true;
  // A shared reference or cycle: JSON would duplicate it (or never end).
  if (depth >= MAX_PLAIN_DEPTH || met.has(value)) return false;
  met.add(value);
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto === Array.prototype) {
    if (!Array.isArray(value) || !Object.isExtensible(value)) return false;
    const array = value as unknown[];
    for (let i = 0; i < array.length; i++) {
      const item = array[i];
      // undefined and holes would come back as null
      if (item === undefined || !plain(item, depth + 1)) return false;
    }
    return true;
  }
  // Frozen, sealed or non-extensible: JSON.parse would give it back open; the byte form keeps that.
  if (proto !== Object.prototype || !Object.isExtensible(value)) return false;
  const record = value as Record<string, unknown>;
  for (const key in record) {
    // JSON.parse would make an own `__proto__`; the byte form keeps such keys as cucumber does.
    if (key === '__proto__') return false;
    // A getter (or an inherited key) goes to the byte form, which reads each property once;
    // here JSON.stringify would read it a second time and might see something else.
    const own = Object.getOwnPropertyDescriptor(record, key);
    if (own === undefined || !('value' in own)) return false;
    const item = own.value as unknown;
    // an undefined property would be dropped
    if (item === undefined || !plain(item, depth + 1)) return false;
  }
  return true;
}

/**
 * The {@link Form} to store `value` in under `key`, with an error that speaks of the Share when
 * the value cannot be stored.
 */
export function formOf(key: string, value: unknown): Form {
  if (value === undefined || typeof value === 'number') return value;
  if (isPlainData(value)) return JSON.stringify(value);
  try {
    return serialize(value, { bytes: true });
  } catch (error) {
    if (!(error instanceof SerializationError)) throw error;
    throw new SerializationError(
      `share.${key} cannot hold this value (a Share keeps values as bytes, so it cannot hold another Share, a Pipe ` +
        `point, a SharedArrayBuffer or a MessagePort; pass those to the process directly): ${error.message}`,
      error.path, error,
    );
  }
}

/** The value a {@link Form} holds (a fresh copy each time). */
export function valueOf(form: Form): unknown {
  if (form === undefined || typeof form === 'number') return form;
  return typeof form === 'string' ? JSON.parse(form) : deserialize(form);
}

/** Whether two forms hold the same value, as stored. */
export function sameForm(a: Form, b: Form): boolean {
  if (typeof a === 'number' || typeof b === 'number') return Object.is(a, b);
  if (typeof a === 'string' || typeof b === 'string' || a === undefined || b === undefined) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
