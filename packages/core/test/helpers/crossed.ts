// A value as the other side of a postMessage receives it, without a worker in between.
import { cucumber } from '@suitkaise/core';

/** `value` after cucumber.serialize → one real structured clone (what postMessage does) → deserialize. */
export function crossed<T>(value: T): T {
  return cucumber.deserialize(structuredClone(cucumber.serialize(value))) as T;
}
