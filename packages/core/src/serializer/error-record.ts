/** How an `Error` is described for the wire: its class, or the nearest built-in one. */
import type { BuiltinErrorName, ErrorRecord } from './protocol.ts';

const builtinErrors: Array<[string, BuiltinErrorName]> = [
  ['DOMException', 'DOMException'], ['AggregateError', 'AggregateError'], ['TypeError', 'TypeError'],
  ['RangeError', 'RangeError'], ['ReferenceError', 'ReferenceError'], ['SyntaxError', 'SyntaxError'],
  ['EvalError', 'EvalError'], ['URIError', 'URIError'], ['Error', 'Error'],
];
const builtinByPrototype = new Map<unknown, BuiltinErrorName>();
for (const [global, name] of builtinErrors) {
  const cls = (globalThis as Record<string, unknown>)[global];
  if (typeof cls === 'function') builtinByPrototype.set(cls.prototype, name);
}

/** The nearest built-in error class on the prototype chain, and the name its prototype gives. */
function builtinBase(error: Error): [BuiltinErrorName, string] {
  for (let proto = Object.getPrototypeOf(error) as object | null; proto !== null; proto = Object.getPrototypeOf(proto)) {
    const name = builtinByPrototype.get(proto);
    if (name !== undefined) return [name, nameOf(proto, error)];
  }
  return ['Error', 'Error'];
}

/** The `name` a prototype gives (DOMException's is a getter that needs the instance). */
function nameOf(proto: object, error: Error): string {
  try {
    return String(Reflect.get(proto, 'name', error));
  } catch {
    return '';
  }
}

/**
 * The record an error travels as (its fields `cause`, `props`, `errors` are filled
 * by the caller, once their mapped values are known).
 * @param ownKeys - the own enumerable keys that travel as properties.
 */
export function errorRecord(error: Error, id: string | undefined, ownKeys: readonly string[]): ErrorRecord {
  let base: BuiltinErrorName | undefined;
  let protoName: string;
  if (id === undefined) {
    [base, protoName] = builtinBase(error);
  } else {
    protoName = nameOf(Object.getPrototypeOf(error) as object, error);
  }
  const record: { -readonly [K in keyof ErrorRecord]: ErrorRecord[K] } = { k: 'error', props: [] };
  if (id !== undefined) record.id = id;
  if (base !== undefined) record.base = base;
  const name = String(error.name);
  if (base === 'DOMException' || (name !== protoName && !ownKeys.includes('name'))) record.name = name;
  if (typeof error.message === 'string' && (Object.hasOwn(error, 'message') || error.message !== '')) {
    record.message = error.message;
  }
  if (typeof error.stack === 'string') record.stack = error.stack;
  return record;
}
