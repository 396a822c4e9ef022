/**
 * Codecs: how values of classes the app does not own (iterators, database
 * clients, sockets) cross a worker boundary. A codec is asked about an object
 * only when its class is not registered; it turns the object into a sendable
 * state and back. Rides the same placeholder machinery as `toState/fromState`.
 *
 * The built-in codecs are in the table from the start, so every codec registered later (the
 * reconnect room's, an app's) is asked before them, whatever order modules are evaluated in.
 */
import { ITERATOR_CODEC_ID, iteratorCodec } from './iterators.ts';
import { URL_CODEC_ID, URL_SEARCH_PARAMS_CODEC_ID, urlCodec, urlSearchParamsCodec } from './web-codecs.ts';

/** Sends objects of a foreign class as a state, and rebuilds them from it. */
export interface Codec<T extends object = object, S = unknown> {
  /** Whether this codec sends `value`. Asked once per prototype: decide by class, not by instance. */
  test(value: object): value is T;
  /** A sendable state for `value` (anything cucumber can send). */
  toState(value: T): S;
  /** The value to put where the original stood, on the receiving side. */
  fromState(state: S): unknown;
}

const codecs = new Map<string, Codec>([
  // Iterators and generators travel as their remaining values.
  [ITERATOR_CODEC_ID, iteratorCodec as unknown as Codec],
  [URL_CODEC_ID, urlCodec as unknown as Codec],
  [URL_SEARCH_PARAMS_CODEC_ID, urlSearchParamsCodec as unknown as Codec],
]);

/**
 * Add a codec under a stable `id` (the same on both sides of the boundary). Later codecs are
 * asked first, so an app can override a built-in one. Re-registering an id replaces it.
 */
export function registerCodec<T extends object, S>(id: string, codec: Codec<T, S>): void {
  if (typeof id !== 'string' || id === '') throw new TypeError('registerCodec(id, codec): id must be a non-empty string');
  if (typeof codec?.test !== 'function' || typeof codec.toState !== 'function' || typeof codec.fromState !== 'function') {
    throw new TypeError(`registerCodec('${id}', codec): codec needs test(value), toState(value) and fromState(state) functions`);
  }
  codecs.delete(id);
  codecs.set(id, codec as unknown as Codec);
}

/** The codec that sends `value`, if any: the latest registered first. */
export function codecFor(value: object): { id: string; codec: Codec } | undefined {
  const entries = [...codecs];
  for (let i = entries.length - 1; i >= 0; i -= 1) {
    const [id, codec] = entries[i]!;
    if (codec.test(value)) return { id, codec };
  }
  return undefined;
}

/** The codec registered under `id`, if any. */
export function codecById(id: string): Codec | undefined {
  return codecs.get(id);
}
