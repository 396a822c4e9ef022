/**
 * Helpers the built-in reconnectors share: loading a driver only when a
 * resource is reconnected (core never imports one statically), reading
 * captured fields defensively, and taking secrets out of URLs.
 */
import type { DetailValue, ReconnectCredentials, ReconnectorDetails } from './types.ts';

type Module = Record<string, unknown>;

/**
 * Set where core runs as a classic script, which cannot call `import()` (the Node worker runtime,
 * evaluated through `vm.Script`): the `import` of the module that loaded it.
 */
const HOST_IMPORT = Symbol.for('suitkaise.import');

// A specifier in a variable: bundlers (Vite, esbuild) leave the import alone instead of pulling
// a driver into a browser bundle; at run time it resolves from where core is installed.
const load = (specifier: string): Promise<Module> => {
  const hostImport = (globalThis as { [HOST_IMPORT]?: (specifier: string) => Promise<Module> })[HOST_IMPORT];
  return hostImport ? hostImport(specifier) : (import(/* @vite-ignore */ specifier) as Promise<Module>);
};

/**
 * `name` exported by the package `specifier` (ESM named export, or the CommonJS
 * `module.exports[name]`, or `module.exports` itself for `name === 'default'`).
 * @throws Error saying the package must be installed where the resource is reconnected.
 */
export async function driverExport<T>(specifier: string, name: string, type: string): Promise<T> {
  let mod: Module;
  try {
    mod = await load(specifier);
  } catch (error) {
    throw new Error(
      `reconnecting a '${type}' needs the '${specifier}' package, which could not be imported here ` +
        `(${error instanceof Error ? error.message : String(error)}): install it next to @suitkaise/core, ` +
        'and reconnect where it can run (database drivers and node: modules need Node)',
      { cause: error },
    );
  }
  const fallback = mod.default as Module | undefined;
  const found = name === 'default' ? (fallback ?? mod) : (mod[name] ?? (fallback as Module | undefined)?.[name]);
  if (found === undefined) throw new Error(`the '${specifier}' package has no export '${name}' (needed to reconnect a '${type}')`);
  return found as T;
}

/** The object's own class name (`constructor.name` along its prototype chain). */
export function className(value: object): string {
  const ctor = (value as { constructor?: unknown }).constructor;
  return typeof ctor === 'function' ? ctor.name : '';
}

/** Whether every one of `names` is a function on `value`. */
export function hasMethods(value: object, ...names: string[]): boolean {
  const record = value as Record<string, unknown>;
  return names.every((name) => typeof record[name] === 'function');
}

/** A string field, or undefined. */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A finite number field, or undefined. */
export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A boolean field, or undefined. */
export function bool(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

/**
 * The primitive (string, finite number, boolean) fields of `source` named in
 * `keys`, skipping the rest: captures are allow-lists, so a field the driver
 * adds later (a token, a key) is never copied by accident.
 */
export function pickPrimitives(source: unknown, keys: readonly string[]): Record<string, DetailValue> {
  const out: Record<string, DetailValue> = {};
  if (typeof source !== 'object' || source === null) return out;
  const record = source as Record<string, unknown>;
  for (const key of keys) {
    const value = record[key];
    if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) {
      out[key] = value;
    }
  }
  return out;
}

/**
 * TLS settings without key material: `true`/`false`, or only
 * `rejectUnauthorized` and `servername` of an options object (`ca`, `cert`,
 * `key`, `passphrase`, `pfx` stay behind; give them back in the credentials).
 */
export function tlsSetting(value: unknown): DetailValue {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'object' || value === null) return undefined;
  return { ...pickPrimitives(value, ['rejectUnauthorized', 'servername']) };
}

/** Query parameter names taken out of captured URLs: they usually hold a secret. */
const SECRET_PARAM = /pass|pwd|secret|token|auth|key|sig|credential|session|jwt/i;

/** A URL with its secrets taken out, and what was taken (names only). */
export interface SafeUrl {
  /** The URL without userinfo, fragment or secret-looking query parameters. */
  url: string;
  /** The userinfo's user name (not secret, and needed to put a password back); absent when none. */
  username?: string;
  /** Names of the query parameters removed; a string credential fills them back in. */
  removedParams?: string[];
}

/** Take userinfo, the fragment and secret-looking query parameters out of `url`. */
export function safeUrl(url: string): SafeUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new Error(`cannot capture the URL (it does not parse, so its secrets cannot be taken out): ${String(error)}`);
  }
  const result: SafeUrl = { url: '' };
  if (parsed.username) result.username = decodeURIComponent(parsed.username);
  parsed.username = '';
  parsed.password = '';
  parsed.hash = '';
  const removed = [...new Set([...parsed.searchParams.keys()].filter((name) => SECRET_PARAM.test(name)))];
  for (const name of removed) parsed.searchParams.delete(name);
  if (removed.length > 0) result.removedParams = removed;
  result.url = parsed.href;
  return result;
}

/**
 * Rebuild a URL captured by {@link safeUrl} with credentials: `query` entries
 * are appended; a password fills the removed query parameters, or else (when
 * `userinfo` is allowed and a user name is known) becomes the userinfo password.
 * Returns the URL and whether the password found a place.
 */
export function credentialUrl(details: ReconnectorDetails, auth: ReconnectCredentials | undefined, userinfo: boolean): { url: string; placed: boolean } {
  const parsed = new URL(str(details.url) ?? '');
  const query = auth?.query;
  if (typeof query === 'object' && query !== null) {
    for (const [name, value] of Object.entries(query)) parsed.searchParams.set(name, String(value));
  }
  const password = auth?.password;
  const removed = Array.isArray(details.removedParams) ? details.removedParams.filter((name): name is string => typeof name === 'string') : [];
  const username = auth?.username ?? str(details.username);
  let placed = password === undefined;
  if (password !== undefined && removed.length > 0) {
    for (const name of removed) if (!parsed.searchParams.has(name)) parsed.searchParams.set(name, password);
    placed = true;
  } else if (password !== undefined && userinfo && username !== undefined) {
    parsed.username = encodeURIComponent(username);
    parsed.password = encodeURIComponent(password);
    placed = true;
  } else if (userinfo && username !== undefined) {
    parsed.username = encodeURIComponent(username);
  }
  return { url: parsed.href, placed };
}

/** Driver options from credentials: everything but the keys the reconnector handles itself. */
export function extraOptions(auth: ReconnectCredentials | undefined, handled: readonly string[]): Record<string, unknown> {
  if (auth === undefined) return {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(auth)) if (!handled.includes(key)) out[key] = value;
  return out;
}

/** Drop `undefined` entries (details stay small and print cleanly). */
export function compact<T extends Record<string, DetailValue>>(details: T): T {
  for (const key of Object.keys(details)) if (details[key] === undefined) delete details[key];
  return details;
}

interface Emitter {
  once(event: string, listener: (...args: unknown[]) => void): unknown;
  removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
}

/**
 * Waits for a new connection's `opening`, and on failure releases it with `discard` before
 * rethrowing, so a failed reconnection leaves no socket open behind it.
 */
export async function openedOrDiscarded<T>(resource: T, opening: Promise<unknown>, discard: (resource: T) => void): Promise<T> {
  try {
    await opening;
  } catch (error) {
    discard(resource);
    throw error;
  }
  return resource;
}

/** Resolves on `ready`, rejects on `failure` (Node-style event emitters). */
export function whenEmitted(emitter: Emitter, ready: string, failure = 'error'): Promise<void> {
  return new Promise((resolve, reject) => {
    const onReady = (): void => {
      emitter.removeListener(failure, onFailure);
      resolve();
    };
    const onFailure = (error: unknown): void => {
      emitter.removeListener(ready, onReady);
      reject(error instanceof Error ? error : new Error(String(error)));
    };
    emitter.once(ready, onReady);
    emitter.once(failure, onFailure);
  });
}

/** Resolves on `open`, rejects on `error` / `close` before it (DOM-style event targets). */
export function whenOpen(target: EventTarget, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      target.removeEventListener('open', onOpen);
      target.removeEventListener('error', onError);
      target.removeEventListener('close', onError);
    };
    const onOpen = (): void => {
      done();
      resolve();
    };
    const onError = (event: Event): void => {
      done();
      const cause = (event as { error?: unknown }).error;
      reject(new Error(`${what} failed to open${cause instanceof Error ? `: ${cause.message}` : ''}`, { cause }));
    };
    target.addEventListener('open', onOpen);
    target.addEventListener('error', onError);
    target.addEventListener('close', onError);
  });
}
