/**
 * The receiving side: check that the data is an envelope `serialize`
 * produced, restore prototypes of registered instances in place, rebuild
 * placeholders (functions by id, `Symbol.for` symbols, errors, `fromState`
 * instances) and put them where the placeholders sat. Nothing is evaluated,
 * no unregistered id is instantiated, and no `__proto__` / `constructor` /
 * `prototype` key is ever written.
 */
import { SerializationError } from '../errors.ts';
import { lookup } from '../runtime/registry.ts';
import { DENSE_LIMIT, FORBIDDEN_KEYS } from './classify.ts';
import { codecById } from './codecs.ts';
import { intrinsicByName } from './intrinsics.ts';
import {
  FORMAT, FROZEN, NOT_EXTENSIBLE, SEALED, VERSION, type BuiltinErrorName, type Envelope, type ErrorRecord, type Placeholder,
} from './protocol.ts';

const PENDING = Symbol('pending');
const mapEntries = Map.prototype.entries;
const mapClear = Map.prototype.clear;
const mapSet = Map.prototype.set;
const mapSize = Object.getOwnPropertyDescriptor(Map.prototype, 'size')!.get!;
const setValues = Set.prototype.values;
const setClear = Set.prototype.clear;
const setAdd = Set.prototype.add;
const setSize = Object.getOwnPropertyDescriptor(Set.prototype, 'size')!.get!;

type Ctor = abstract new (...args: never[]) => unknown;

function bad(message: string, path = 'envelope', cause?: unknown): SerializationError {
  return new SerializationError(`cannot deserialize: ${message}`, path, cause);
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

function has(value: object, brand: () => unknown): boolean {
  try {
    brand.call(value);
    return true;
  } catch {
    return false;
  }
}

/** The registered class under `id`, or a SerializationError saying it is not registered here. */
function classOf(id: unknown, path: string): Ctor {
  if (typeof id !== 'string') throw bad('a class id is not a string', path);
  const cls = lookup(id);
  if (typeof cls !== 'function' || !isObject(cls.prototype)) {
    throw bad(`unknown class id '${id}': register the class on this side too (import the module that defines it)`, path);
  }
  return cls as unknown as Ctor;
}

function checkEnvelope(data: unknown): Envelope {
  if (!isObject(data) || Array.isArray(data)) {
    throw bad(`expected an object that serialize() produced, got ${data === null ? 'null' : typeof data}`);
  }
  const envelope = data as Partial<Envelope>;
  if (envelope.format !== FORMAT) throw bad(`not a ${FORMAT} value (format marker is missing or wrong)`);
  if (envelope.version !== VERSION) {
    throw bad(`${FORMAT} version ${String(envelope.version)} is not supported (this build reads version ${VERSION})`);
  }
  if (!('root' in envelope)) throw bad('the envelope has no root');
  for (const table of ['classes', 'instances', 'subs', 'fix', 'lastIndex', 'integrity'] as const) {
    if (envelope[table] !== undefined && !Array.isArray(envelope[table])) throw bad(`${table} is not an array`, `envelope.${table}`);
  }
  if ((envelope.instances?.length ?? 0) % 2 !== 0) throw bad('instances has an odd length', 'envelope.instances');
  if ((envelope.lastIndex?.length ?? 0) % 2 !== 0) throw bad('lastIndex has an odd length', 'envelope.lastIndex');
  if ((envelope.integrity?.length ?? 0) % 2 !== 0) throw bad('integrity has an odd length', 'envelope.integrity');
  return envelope as Envelope;
}

function define(target: object, key: string, value: unknown, enumerable: boolean): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable, configurable: true });
}

function errorShell(record: ErrorRecord, path: string): Error {
  const message = record.message;
  if (message !== undefined && typeof message !== 'string') throw bad('an error message is not a string', path);
  let error: Error;
  if (record.id !== undefined) {
    const cls = classOf(record.id, path);
    error = new Error(message);
    Object.setPrototypeOf(error, cls.prototype as object);
  } else {
    error = builtinError(record.base, message, record.name, path);
  }
  if (record.stack === undefined) {
    if (Object.getOwnPropertyDescriptor(error, 'stack')?.configurable) delete (error as { stack?: string }).stack;
  } else if (typeof record.stack === 'string') {
    define(error, 'stack', record.stack, false);
  } else {
    throw bad('an error stack is not a string', path);
  }
  if (record.name !== undefined && record.base !== 'DOMException') {
    if (typeof record.name !== 'string') throw bad('an error name is not a string', path);
    define(error, 'name', record.name, false);
  }
  return error;
}

function builtinError(base: BuiltinErrorName | undefined, message: string | undefined, name: unknown, path: string): Error {
  switch (base) {
    case 'Error': return new Error(message);
    case 'TypeError': return new TypeError(message);
    case 'RangeError': return new RangeError(message);
    case 'ReferenceError': return new ReferenceError(message);
    case 'SyntaxError': return new SyntaxError(message);
    case 'EvalError': return new EvalError(message);
    case 'URIError': return new URIError(message);
    case 'AggregateError': return new AggregateError([], message);
    case 'DOMException':
      if (typeof DOMException === 'function') return new DOMException(message, typeof name === 'string' ? name : 'Error');
      return new Error(message);
    default:
      throw bad(`unknown error class '${String(base)}'`, path);
  }
}

/** Rebuild a value `serialize` produced (see `deserialize` in index.ts). */
export function restore(data: unknown): unknown {
  const envelope = checkEnvelope(data);
  const classes = envelope.classes ?? [];
  const instances = envelope.instances ?? [];
  const subs = envelope.subs ?? [];
  const fix = envelope.fix ?? [];
  const lastIndex = envelope.lastIndex ?? [];
  for (let i = 0; i < lastIndex.length; i += 2) {
    const regexp = lastIndex[i];
    const index = lastIndex[i + 1];
    if (!(regexp instanceof RegExp) || typeof index !== 'number' || !Number.isInteger(index) || index < 0) {
      throw bad('a lastIndex entry is not a RegExp and a non-negative integer', `envelope.lastIndex[${i >> 1}]`);
    }
    regexp.lastIndex = index;
  }

  for (let i = 0; i < instances.length; i += 2) {
    const path = `envelope.instances[${i >> 1}]`;
    const obj = instances[i];
    const index = instances[i + 1];
    if (!isObject(obj)) throw bad('an instance is not an object', path);
    if (typeof index !== 'number' || !Number.isInteger(index) || index < -1 || index >= classes.length) {
      throw bad('an instance names no class', path);
    }
    const proto = index === -1 ? null : classOf(classes[index], `envelope.classes[${index}]`).prototype as object;
    Object.setPrototypeOf(obj, proto);
  }

  // Placeholder → what it stands for. Errors get their shell now, so cycles through them resolve.
  const resolved = new Map<unknown, unknown>();
  subs.forEach((sub: Placeholder, i) => {
    const path = `envelope.subs[${i}]`;
    if (!isObject(sub) || resolved.has(sub)) throw bad('a placeholder is not a distinct object', path);
    switch (sub.k) {
      case 'fn': {
        const fn = typeof sub.id === 'string' ? lookup(sub.id) : undefined;
        if (typeof fn !== 'function') {
          throw bad(`unknown function id '${String(sub.id)}': register it on this side too (import the module that defines it)`, path);
        }
        resolved.set(sub, fn);
        break;
      }
      case 'sym':
        if (typeof sub.key !== 'string') throw bad('a symbol key is not a string', path);
        resolved.set(sub, Symbol.for(sub.key));
        break;
      case 'intrinsic': {
        const intrinsic = typeof sub.name === 'string' ? intrinsicByName(sub.name) : { found: false, value: undefined };
        if (!intrinsic.found) throw bad(`unknown intrinsic '${String(sub.name)}' (this engine may not have it)`, path);
        resolved.set(sub, intrinsic.value);
        break;
      }
      case 'error':
        if (!Array.isArray(sub.props) || sub.props.length % 2 !== 0) throw bad('an error record has malformed props', path);
        resolved.set(sub, errorShell(sub, path));
        break;
      case 'state':
        if (typeof sub.id !== 'string' || (!codecById(sub.id) && !classOf(sub.id, path))) throw bad('a state record has no id', path);
        resolved.set(sub, PENDING);
        break;
      default:
        throw bad(`unknown placeholder kind '${String((sub as { k?: unknown }).k)}'`, path);
    }
  });

  const resolve = (value: unknown): unknown => {
    if (!isObject(value) || !resolved.has(value)) return value;
    const result = resolved.get(value);
    if (result === PENDING) throw bad('a fromState() value is used before it is rebuilt (entries out of order)', 'envelope.fix');
    return result;
  };

  const done = new Set<number>();
  fix.forEach((entry, i) => {
    const path = `envelope.fix[${i}]`;
    if (typeof entry === 'number') {
      const sub = subs[entry];
      if (!Number.isInteger(entry) || sub === undefined || done.has(entry) || (sub.k !== 'error' && sub.k !== 'state')) {
        throw bad('a fix entry names no error or state placeholder', path);
      }
      done.add(entry);
      if (sub.k === 'error') fillError(resolved.get(sub) as Error, sub, resolve, path);
      else resolved.set(sub, rebuildState(sub.id, resolve(sub.state), path));
    } else if (isObject(entry) && !resolved.has(entry)) {
      patch(entry, resolve, path);
    } else {
      throw bad('a fix entry is neither a placeholder index nor a container', path);
    }
  });
  lock(envelope.integrity ?? [], resolved);
  return resolve(envelope.root);
}

const locks: Record<number, (obj: object) => unknown> = {
  [NOT_EXTENSIBLE]: Object.preventExtensions, [SEALED]: Object.seal, [FROZEN]: Object.freeze,
};

/** Make objects of the message non-extensible, sealed or frozen, as they were sent (last: nothing writes them after). */
function lock(integrity: readonly unknown[], placeholders: ReadonlyMap<unknown, unknown>): void {
  for (let i = 0; i < integrity.length; i += 2) {
    const obj = integrity[i];
    const level = integrity[i + 1];
    // Only objects that arrived in the message: never a placeholder (it resolves to this realm's own objects).
    if (!isObject(obj) || placeholders.has(obj) || typeof level !== 'number' || !Object.hasOwn(locks, level)) {
      throw bad('an integrity entry is not an object of the message and a level', `envelope.integrity[${i >> 1}]`);
    }
    locks[level]!(obj);
  }
}

function rebuildState(id: string, state: unknown, path: string): unknown {
  const codec = codecById(id);
  if (codec) {
    try {
      return codec.fromState(state);
    } catch (error) {
      throw bad(`fromState() of codec '${id}' threw`, path, error);
    }
  }
  const cls = classOf(id, path) as unknown as { fromState?: unknown };
  if (typeof cls.fromState !== 'function') throw bad(`class '${id}' has no static fromState(state) here`, path);
  try {
    return (cls.fromState as (state: unknown) => unknown).call(cls, state);
  } catch (error) {
    throw bad(`fromState() of class '${id}' threw`, path, error);
  }
}

function fillError(error: Error, record: ErrorRecord, resolve: (value: unknown) => unknown, path: string): void {
  if ('cause' in record) define(error, 'cause', resolve(record.cause), false);
  const { props } = record;
  for (let i = 0; i < props.length; i += 2) {
    const key = props[i];
    if (typeof key !== 'string' || FORBIDDEN_KEYS.has(key)) throw bad(`an error property key ${String(key)} is refused`, path);
    define(error, key, resolve(props[i + 1]), true);
  }
  if ('errors' in record) define(error, 'errors', resolve(record.errors), false);
}

/** Put resolved values where a container holds placeholders; never adds a key. */
function patch(container: object, resolve: (value: unknown) => unknown, path: string): void {
  if (has(container, mapSize)) {
    const map = container as Map<unknown, unknown>;
    const entries = [...mapEntries.call(map)];
    mapClear.call(map);
    for (const [key, value] of entries) mapSet.call(map, resolve(key), resolve(value));
  } else if (has(container, setSize)) {
    const set = container as Set<unknown>;
    const values = [...setValues.call(set)];
    setClear.call(set);
    for (const value of values) setAdd.call(set, resolve(value));
  } else if (Array.isArray(container) && container.length <= DENSE_LIMIT) {
    for (let i = 0; i < container.length; i++) {
      const value: unknown = container[i];
      const result = resolve(value);
      if (!Object.is(result, value)) container[i] = result;
    }
  } else {
    const record = container as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const value = record[key];
      const result = resolve(value);
      if (Object.is(result, value)) continue; // not a placeholder (NaN included)
      if (FORBIDDEN_KEYS.has(key)) throw bad(`a placeholder under the key '${key}' is refused`, path);
      define(record, key, result, true);
    }
  }
}
