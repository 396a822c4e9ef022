/**
 * `URL` and `URLSearchParams`, which structured clone refuses: they travel as their text (`href`,
 * the query string) and are rebuilt with their constructor, as peers (seroval, superjson) do.
 */
import type { Codec } from './codecs.ts';

/** The id the URL codec is registered under (the same on both sides). */
export const URL_CODEC_ID = 'cucumber:URL';
/** The id the URLSearchParams codec is registered under (the same on both sides). */
export const URL_SEARCH_PARAMS_CODEC_ID = 'cucumber:URLSearchParams';

/** Sends a `URL` as its `href`. */
export const urlCodec: Codec<URL, string> = {
  test: (value): value is URL => typeof URL === 'function' && value instanceof URL,
  toState: (url) => url.href,
  fromState: (href) => new URL(href),
};

/** Sends a `URLSearchParams` as its query string (order and repeated keys kept). */
export const urlSearchParamsCodec: Codec<URLSearchParams, string> = {
  test: (value): value is URLSearchParams => typeof URLSearchParams === 'function' && value instanceof URLSearchParams,
  toState: (params) => params.toString(),
  fromState: (query) => new URLSearchParams(query),
};
