/**
 * `reconnectAll`: find every `Reconnector` in a value (objects, arrays, Maps,
 * Sets, class instances' own fields), note the field each sits in, reconnect
 * each once with the auth picked for its type and field, and put the live
 * resource where the Reconnector was, in place.
 */
import { structuralKind } from '../serializer/classify.ts';
import { MAP, OBJECT, SET, isContainer } from '../serializer/kinds.ts';
import { kidsOf, walkGraph, type Opened } from '../serializer/walk.ts';
import { ReconnectError, Reconnector, credentialFor, resourceTypeOf } from './reconnector.ts';
import type { ReconnectAuth } from './types.ts';

/** Where a Reconnector sits: a property, an array index, a Map key or value, a Set member. */
type Site =
  | { kind: 'prop'; container: object; key: string }
  | { kind: 'map-value'; container: Map<unknown, unknown>; key: unknown }
  | { kind: 'map-key' | 'set'; container: Map<unknown, unknown> | Set<unknown> };

/** What `reconnectAll` resolves to: the value, or the live resource when the value itself is a Reconnector. */
export type Reconnected<T> = T extends Reconnector<infer R> ? R : T;

/** Where a value sits, and the field (property name or string Map key) it counts as under. */
interface Place {
  readonly site: Site | null;
  readonly attr: string | undefined;
}

/** Where the `i`-th child of `container` (walked as `opened`) sits, and its field. */
function placeOf(container: object, { kind, kids }: Opened, i: number, attr: string | undefined): Place {
  if (kind === MAP) {
    const map = container as Map<unknown, unknown>;
    if (i % 2 === 0) return { site: { kind: 'map-key', container: map }, attr };
    const key = kids.values[i - 1];
    return { site: { kind: 'map-value', container: map, key }, attr: typeof key === 'string' ? key : attr };
  }
  if (kind === SET) return { site: { kind: 'set', container: container as Set<unknown> }, attr };
  const key = kids.keys === null ? String(i) : kids.keys[i]!;
  return { site: { kind: 'prop', container, key }, attr: kind === OBJECT ? key : attr };
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

  // The serializer's graph walk: objects, arrays, Maps and Sets (whatever their prototype), not into
  // the built-ins that hold no fields of the app's (Dates, views…) nor into live resources.
  const read = { read: new Map(), states: new Map() };
  walkGraph<Place>(value, { site: null, attr: undefined }, {
    meet: (child, { site, attr }) => {
      if (site !== null && child instanceof Reconnector) found(child, site, attr);
      return false;
    },
    open: (obj) => {
      if (obj instanceof Reconnector || resourceTypeOf(obj) !== undefined) return null; // a live resource already: not ours to walk
      const kind = structuralKind(obj);
      return isContainer(kind) ? { kind, kids: kidsOf(read, obj, kind) } : null;
    },
    child: (container, opened, i, { attr }) => placeOf(container, opened, i, attr),
  });

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
