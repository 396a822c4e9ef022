/**
 * What a built-in object really is, from its internal slots (as structured clone decides) rather
 * than its prototype: an object can have a Map's prototype without being a Map, a Map can have a
 * null prototype, and an ArrayBuffer from another realm is not `instanceof ArrayBuffer`. Every check
 * here calls the built-in's own accessor or method, which throws (or answers undefined) for an
 * object without the slot.
 */

import { ARRAY, ARRAY_BUFFER, BOXED, DATE, MAP, OBJECT, REGEXP, SET, SHARED_BUFFER, VIEW, type Kind } from './kinds.ts';

type Getter = (this: unknown) => unknown;
const getter = (proto: object, key: PropertyKey): Getter => Object.getOwnPropertyDescriptor(proto, key)!.get as Getter;

const typedArray = Object.getPrototypeOf(Uint8Array.prototype) as object;
const typedArrayTag = getter(typedArray, Symbol.toStringTag);
const typedArrayBuffer = getter(typedArray, 'buffer');
const typedArrayOffset = getter(typedArray, 'byteOffset');
const typedArrayLength = getter(typedArray, 'length');
const dataViewBuffer = getter(DataView.prototype, 'buffer');
const dataViewOffset = getter(DataView.prototype, 'byteOffset');
const dataViewLength = getter(DataView.prototype, 'byteLength');
const bufferLength = getter(ArrayBuffer.prototype, 'byteLength');
const bufferResizable = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'resizable')?.get as Getter | undefined;
const bufferDetached = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'detached')?.get as Getter | undefined;
const sharedLength = typeof SharedArrayBuffer === 'function' ? getter(SharedArrayBuffer.prototype, 'byteLength') : undefined;
const mapSize = getter(Map.prototype, 'size');
const setSize = getter(Set.prototype, 'size');
const getTime = Date.prototype.getTime as (this: unknown) => number;
const regexpSource = getter(RegExp.prototype, 'source');
const sliceBuffer = ArrayBuffer.prototype.slice as (this: ArrayBuffer, begin: number, end: number) => ArrayBuffer;
const toTag = Object.prototype.toString;

/** `RegExp.prototype`'s flag accessors, in the order `flags` lists them (those this engine has). */
const flagGetters = ([['d', 'hasIndices'], ['g', 'global'], ['i', 'ignoreCase'], ['m', 'multiline'], ['s', 'dotAll'],
  ['u', 'unicode'], ['v', 'unicodeSets'], ['y', 'sticky']] as const).flatMap(([flag, key]): Array<[string, Getter]> => {
  const get = Object.getOwnPropertyDescriptor(RegExp.prototype, key)?.get as Getter | undefined;
  return get ? [[flag, get]] : [];
});

function has(obj: unknown, brand: (this: unknown) => unknown): boolean {
  try {
    brand.call(obj);
    return true;
  } catch {
    return false;
  }
}

/** `obj` is a Map (whatever its prototype). */
export const isMap = (obj: object): boolean => has(obj, mapSize);
/** `obj` is a Set (whatever its prototype). */
export const isSet = (obj: object): boolean => has(obj, setSize);
/** `obj` is an ArrayBuffer, of any realm (not a SharedArrayBuffer). */
export const isArrayBuffer = (obj: object): boolean => has(obj, bufferLength);
/** `obj` is a SharedArrayBuffer, of any realm. */
export const isSharedArrayBuffer = (obj: object): boolean => sharedLength !== undefined && has(obj, sharedLength);
/** `obj` is a Date. */
export const isDate = (obj: object): boolean => has(obj, getTime);
/** `obj` is a RegExp. */
export const isRegExp = (obj: object): boolean => has(obj, regexpSource);

/** Entries of a Map, members of a Set: their size, read through the built-in accessor. */
export const sizeOfMap = (map: object): number => mapSize.call(map) as number;
/** Members of a Set. */
export const sizeOfSet = (set: object): number => setSize.call(set) as number;
/** The time of a Date. */
export const timeOf = (date: object): number => getTime.call(date);

/** A RegExp's source and flags, from its slots (a null-prototype RegExp has no `source` to read). */
export function regexpParts(re: object): [string, string] {
  const source = regexpSource.call(re) as string;
  if (Object.getPrototypeOf(re) === RegExp.prototype) return [source, (re as RegExp).flags];
  let flags = '';
  for (const [flag, get] of flagGetters) if (get.call(re) === true) flags += flag;
  return [source, flags];
}

/** The class name of a view (`'Uint8Array'`, `'DataView'`…), or undefined when `obj` is no view. */
export function viewName(obj: object): string | undefined {
  if (!ArrayBuffer.isView(obj)) return undefined;
  return (typedArrayTag.call(obj) as string | undefined) ?? 'DataView';
}

/** A view's buffer, byte offset and length (elements; bytes for a DataView), read through the built-in accessors. */
export function viewParts(view: object): [object, number, number] {
  if (typedArrayTag.call(view) === undefined) {
    return [dataViewBuffer.call(view) as object, dataViewOffset.call(view) as number, dataViewLength.call(view) as number];
  }
  return [typedArrayBuffer.call(view) as object, typedArrayOffset.call(view) as number, typedArrayLength.call(view) as number];
}

/** Bytes in an ArrayBuffer of any realm. */
export const byteLengthOf = (buffer: object): number => bufferLength.call(buffer) as number;

/** An ArrayBuffer was detached (transferred): it has no bytes left to copy. */
export function isDetached(buffer: object): boolean {
  if (bufferDetached !== undefined) return bufferDetached.call(buffer) === true;
  if (bufferLength.call(buffer) !== 0) return false;
  try {
    new Uint8Array(buffer as ArrayBuffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}

/**
 * The bytes of an ArrayBuffer as they are now: the buffer itself, whose length cannot change (a
 * transfer detaches it, which `finish` notices), or a fixed copy of a resizable one (a getter run
 * later could resize it).
 */
export function snapshot(buffer: ArrayBuffer): ArrayBuffer {
  if (bufferResizable === undefined || bufferResizable.call(buffer) !== true) return buffer;
  return sliceBuffer.call(buffer, 0, byteLengthOf(buffer));
}

const boxes: Array<[string, (this: unknown) => unknown]> = [['n', Number.prototype.valueOf], ['s', String.prototype.valueOf],
  ['b', Boolean.prototype.valueOf], ['i', BigInt.prototype.valueOf]];

/** What a boxed primitive holds, as `[tag, value]` (`n`, `s`, `b`, `i`), or undefined when `obj` is no box. */
export function unbox(obj: object): [string, unknown] | undefined {
  for (const [tag, valueOf] of boxes) {
    try {
      return [tag, valueOf.call(obj)];
    } catch {
      // not this kind of box
    }
  }
  return undefined;
}

/**
 * What structured clone sees in a null-prototype object: the kind its slots make it (a Map keeps
 * its entries, a Date its time…), or OBJECT (its own properties).
 */
export function nullProtoKind(obj: object): Kind {
  if (Array.isArray(obj)) return ARRAY;
  if (ArrayBuffer.isView(obj)) return VIEW;
  // Without a prototype, only an own @@toStringTag (checked by the brand test below) can fake the tag.
  switch (toTag.call(obj)) {
    case '[object Date]':
      return isDate(obj) ? DATE : OBJECT;
    case '[object RegExp]':
      return isRegExp(obj) ? REGEXP : OBJECT;
    case '[object Object]':
      if (isMap(obj)) return MAP;
      if (isSet(obj)) return SET;
      if (isArrayBuffer(obj)) return ARRAY_BUFFER;
      if (isSharedArrayBuffer(obj)) return SHARED_BUFFER;
      return has(obj, BigInt.prototype.valueOf) ? BOXED : OBJECT; // the one box without a tag of its own
    default:
      return unbox(obj) !== undefined ? BOXED : OBJECT;
  }
}

const typedArrayAt = (typedArray as { at?: (this: unknown, index: number) => unknown }).at;

/**
 * Why a view cannot be sent, or undefined when it can: its ArrayBuffer was detached, or it reaches
 * past the end of a resizable ArrayBuffer that shrank (structured clone refuses both).
 */
export function viewProblem(view: object): 'detached' | 'out of bounds' | undefined {
  if (typedArrayTag.call(view) === undefined) {
    try {
      dataViewLength.call(view); // throws when detached or out of bounds
      return undefined;
    } catch {
      return isDetached(dataViewBuffer.call(view) as object) ? 'detached' : 'out of bounds';
    }
  }
  if (typedArrayLength.call(view) !== 0) return undefined; // a view out of bounds reads as empty
  const buffer = typedArrayBuffer.call(view) as object;
  if (!isArrayBuffer(buffer)) return undefined; // shared memory neither detaches nor shrinks
  if (isDetached(buffer)) return 'detached';
  try {
    typedArrayAt?.call(view, 0); // validates the view: throws when it is out of bounds
    return undefined;
  } catch {
    return 'out of bounds';
  }
}
