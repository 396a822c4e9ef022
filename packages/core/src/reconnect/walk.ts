/**
 * `reconnectAll`: find every `Reconnector` in a value (objects, arrays, Maps,
 * Sets, class instances' own fields), note the field each sits in, reconnect
 * each once with the auth picked for its type and field, and put the live
 * resource where the Reconnector was, in place.
 */
import { ReconnectError, Reconnector, credentialFor, resourceTypeOf } from './reconnector.ts';
import type { ReconnectAuth } from './types.ts';

/** Where a Reconnector sits: a property, an array index, a Map key or value, a Set member. */
type Site =
  | { kind: 'prop'; container: object; key: string }
  | { kind: 'map-value'; container: Map<unknown, unknown>; key: unknown }
  | { kind: 'map-key' | 'set'; container: Map<unknown, unknown> | Set<unknown> };

/** What `reconnectAll` resolves to: the value, or the live resource when the value itself is a Reconnector. */
export type Reconnected<T> = T extends Reconnector<infer R> ? R : T;

/** Objects whose insides are not walked: they hold no fields of the app's. */
function opaque(value: object): boolean {
  return ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Date || value instanceof RegExp
    || value instanceof Promise || value instanceof WeakMap || value instanceof WeakSet
    || (typeof SharedArrayBuffer === 'function' && value instanceof SharedArrayBuffer)
    || (typeof Blob === 'function' && value instanceof Blob)
    || resourceTypeOf(value) !== undefined; // a live resource already: not ours to walk
}

/**
 * Reconnect every {@link Reconnector} in `value` and put the live resources
 * where they were, in place; resolves to `value` (or, when `value` itself is a
 * Reconnector, to its live resource).
 *
 * The credentials of a Reconnector of type `t` found under the field (property
 * name or string Map key) `a` are `auth[t][a] ?? auth[t]['*']`; array and Set
 * members take the field of their container. A Reconnector referenced from
 * several places is reconnected once, with the first field it is found under,
 * and every place gets the same resource. All are reconnected concurrently.
 *
 * ```ts
 * await cucumber.reconnectAll(state, { 'pg.Client': { '*': 'secret', analyticsDb: 'other' } });
 * ```
 * @throws ReconnectError (as a rejection) listing every resource that could not be reconnected;
 * the ones that could are in place by then, so the caller can close them.
 */
export async function reconnectAll<T>(value: T, auth?: ReconnectAuth): Promise<Reconnected<T>> {
  if (value instanceof Reconnector) {
    return (await value.reconnect(credentialFor(auth, value.type, value.attrName))) as Reconnected<T>;
  }
  const sites = new Map<Reconnector, Site[]>();
  const found = (reconnector: Reconnector, site: Site, attr: string | undefined): void => {
    let list = sites.get(reconnector);
    if (list === undefined) {
      list = [];
      sites.set(reconnector, list);
      if (reconnector.attrName === undefined && attr !== undefined) reconnector.attrName = attr;
    }
    list.push(site);
  };

  const seen = new Set<object>();
  const stack: Array<{ obj: object; attr: string | undefined }> = [];
  const visit = (child: unknown, site: Site, attr: string | undefined): void => {
    if (typeof child !== 'object' || child === null) return;
    if (child instanceof Reconnector) found(child, site, attr);
    else if (!seen.has(child)) {
      seen.add(child);
      stack.push({ obj: child, attr });
    }
  };
  if (typeof value === 'object' && value !== null) {
    seen.add(value);
    stack.push({ obj: value, attr: undefined });
  }
  while (stack.length > 0) {
    const { obj, attr } = stack.pop()!;
    if (obj instanceof Map) {
      for (const [key, member] of obj) {
        visit(key, { kind: 'map-key', container: obj }, attr);
        visit(member, { kind: 'map-value', container: obj, key }, typeof key === 'string' ? key : attr);
      }
    } else if (obj instanceof Set) {
      for (const member of obj) visit(member, { kind: 'set', container: obj }, attr);
    } else if (Array.isArray(obj)) {
      for (const key of Object.keys(obj)) visit((obj as unknown as Record<string, unknown>)[key], { kind: 'prop', container: obj, key }, attr);
    } else if (!opaque(obj)) {
      const record = obj as Record<string, unknown>;
      for (const key of Object.keys(obj)) visit(record[key], { kind: 'prop', container: obj, key }, key);
    }
  }

  const entries = [...sites];
  const results = await Promise.allSettled(
    entries.map(([reconnector]) => reconnector.reconnect(credentialFor(auth, reconnector.type, reconnector.attrName))),
  );
  const live = new Map<unknown, unknown>();
  results.forEach((result, i) => {
    if (result.status === 'fulfilled') live.set(entries[i]![0], result.value);
  });
  const rebuilt = new Set<object>();
  for (const [reconnector, list] of entries) {
    if (!live.has(reconnector)) continue;
    const resource = live.get(reconnector);
    for (const site of list) {
      if (site.kind === 'prop') (site.container as Record<string, unknown>)[site.key] = resource;
      else if (site.kind === 'map-value') site.container.set(site.key, resource);
      else rebuilt.add(site.container);
    }
  }
  // Map keys and Set members: rebuild in order, so the live resource keeps the Reconnector's place.
  const swap = (item: unknown): unknown => (live.has(item) ? live.get(item) : item);
  for (const container of rebuilt) {
    if (container instanceof Map) {
      const pairs = [...container];
      container.clear();
      for (const [key, member] of pairs) container.set(swap(key), swap(member));
    } else if (container instanceof Set) {
      const members = [...container];
      container.clear();
      for (const member of members) container.add(swap(member));
    }
  }

  const failures = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) {
    const messages = failures.map((failure) => (failure instanceof Error ? failure.message : String(failure)));
    throw new ReconnectError(`${failures.length} resources could not be reconnected:\n- ${messages.join('\n- ')}`, '*', undefined, new AggregateError(failures));
  }
  return value as Reconnected<T>;
}
