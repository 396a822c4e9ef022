/**
 * The values a Share hands out. A read of an object is a copy of the stored value (a real Array,
 * Map, class instance …) whose methods act on the stored value atomically (`share.seen.push(x)`,
 * `share.timer.addTime(t)`): they are wired as non-enumerable own properties, which iterating,
 * comparing, cloning and sending the copy do not see. A value stored frozen, sealed or
 * non-extensible comes back so, unwired.
 */
import { Reconnector } from '../reconnect/index.ts';

/** Whether `value` is an object (not null, not a function). */
export function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/** Method names (data properties holding functions) along a prototype chain, below Object.prototype. */
const methodCache = new WeakMap<object, string[]>();
function methodNames(value: object): string[] {
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto === null || proto === Object.prototype) return [];
  let names = methodCache.get(proto);
  if (names === undefined) {
    const found = new Set<string>();
    for (let at: object | null = proto; at !== null && at !== Object.prototype; at = Object.getPrototypeOf(at) as object | null) {
      for (const name of Object.getOwnPropertyNames(at)) {
        const descriptor = Object.getOwnPropertyDescriptor(at, name)!;
        if (name !== 'constructor' && 'value' in descriptor && typeof descriptor.value === 'function') found.add(name);
      }
    }
    names = [...found];
    methodCache.set(proto, names);
  }
  return names;
}

/** `copy`, each of its class's methods replaced (on `copy` only) by `call(name, args)`. */
export function wireMethods(copy: object, call: (name: string, args: unknown[]) => unknown): object {
  // A value stored frozen, sealed or non-extensible comes back so, and takes no own properties:
  // its methods act on the copy; `update()` changes the stored value.
  if (!Object.isExtensible(copy)) return copy;
  for (const name of methodNames(copy)) {
    Object.defineProperty(copy, name, {
      value: (...args: unknown[]) => call(name, args),
      enumerable: false, configurable: true, writable: true,
    });
  }
  return copy;
}

/** Whether `value` holds a Reconnector anywhere inside (objects, arrays, Maps, Sets). */
export function containsReconnector(value: object): boolean {
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (item instanceof Reconnector) return true;
    if (!isObject(item) || seen.has(item)) continue;
    seen.add(item);
    if (item instanceof Map) item.forEach((v, k) => stack.push(k, v));
    else if (item instanceof Set) item.forEach((v) => stack.push(v));
    else stack.push(...Object.values(item));
  }
  return false;
}
