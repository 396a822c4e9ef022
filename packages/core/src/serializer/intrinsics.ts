/**
 * The realm's own objects and symbols a value may hold as they are: `Object.prototype` and the
 * well-known symbols (`Symbol.iterator`, `Symbol.asyncIterator`…). Each realm has its own, so they
 * travel by name (an `IntrinsicRef`) and the receiver puts its own in their place, as a
 * registered function arrives as the receiver's function. Any other intrinsic is a value like
 * any other (a prototype with `Object.prototype` above it is a plain object).
 */

const byName = new Map<string, unknown>([['Object.prototype', Object.prototype]]);
for (const key of Object.getOwnPropertyNames(Symbol)) {
  const value = (Symbol as unknown as Record<string, unknown>)[key];
  if (typeof value === 'symbol') byName.set(`Symbol.${key}`, value);
}
const names = new Map<unknown, string>([...byName].map(([name, value]) => [value, name]));

/** The name `value` travels under when it is one of this realm's intrinsics, else undefined. */
export function intrinsicName(value: unknown): string | undefined {
  return names.get(value);
}

/** This realm's intrinsic named `name`; `found` is false when it has none of that name. */
export function intrinsicByName(name: string): { found: boolean; value: unknown } {
  return byName.has(name) ? { found: true, value: byName.get(name) } : { found: false, value: undefined };
}
