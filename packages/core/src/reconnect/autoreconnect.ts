/**
 * `@autoreconnect({...})`: reconnect a process's live resources in its worker
 * before `__prerun__` first runs. The transform replaces the decorator with
 * `autoreconnect(Class, options)` after the class, which stores the options
 * on the class; the worker's engine asks {@link pendingAutoreconnect}.
 * The options (and so the secrets) are evaluated by the module in each
 * thread that imports it: they never travel with the process's state.
 */
import type { SkClass, SkClassDecorator } from '../runtime/sk.ts';
import type { AutoreconnectOptions, ReconnectAuth } from './types.ts';
import { reconnectAll } from './walk.ts';

const optionsOf = new WeakMap<object, Readonly<AutoreconnectOptions>>();

const missingTransform =
  '@autoreconnect(...) ran at run time, so the suitkaise transform did not process this module. ' +
  'Add suitkaise() from @suitkaise/transform/vite to your Vite (or Vitest) plugins, run Node with ' +
  '--import @suitkaise/node/register, or build with `suitkaise build <tsconfig>`; ' +
  'or, without the transform, call autoreconnect(MyProcess, { ... }) after the class.';

function isDecoratorContext(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string'
    && typeof (value as { addInitializer?: unknown }).addInitializer === 'function';
}

/** Checks the options' shape, naming the key that is wrong. */
function checked(options: unknown): Readonly<AutoreconnectOptions> {
  if (options === undefined) return Object.freeze({});
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`autoreconnect(options): options must be an object like { 'pg.Client': { '*': password } }, got ${options === null ? 'null' : typeof options}`);
  }
  for (const [key, entry] of Object.entries(options)) {
    if (key === 'startThreads') {
      if (typeof entry !== 'boolean') throw new TypeError(`autoreconnect(options): options.startThreads must be a boolean, got ${typeof entry}`);
      continue;
    }
    if (entry === undefined) continue;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new TypeError(`autoreconnect(options): options['${key}'] must map field names (or '*') to credentials, like { '*': password }`);
    }
    for (const [attr, credential] of Object.entries(entry as object)) {
      if (credential !== undefined && typeof credential !== 'string' && (typeof credential !== 'object' || credential === null)) {
        throw new TypeError(`autoreconnect(options): options['${key}']['${attr}'] must be a password string or a credentials object, got ${credential === null ? 'null' : typeof credential}`);
      }
    }
  }
  return Object.freeze({ ...(options as AutoreconnectOptions) });
}

/**
 * Reconnect the live resources in a process's fields (database clients,
 * sockets, WebSockets, file handles), which reach its worker as
 * `Reconnector`s, before `__prerun__` first runs there. The options are the
 * auth table (`{ [type]: { [fieldName | '*']: password | credentials } }`) and
 * `startThreads`, which is accepted and ignored: JavaScript has no threads in
 * an object's state to start.
 *
 * ```ts
 * @autoreconnect({ 'pg.Client': { '*': process.env.PGPASSWORD!, analyticsDb: process.env.ANALYTICS_PASSWORD! } })
 * @sk()
 * export class Report extends Skprocess { constructor(public db: pg.Client, public analyticsDb: pg.Client) { super(); } ... }
 * ```
 *
 * The transform compiles the decorator to `autoreconnect(Report, { ... })`
 * after the class; calling that form yourself works without the transform.
 * A failed reconnection fails the run like a throwing hook: it costs a life
 * and is retried, then `__error__` decides.
 * @throws Error when reached as a decorator at run time (the transform did not run); TypeError on malformed options.
 */
export function autoreconnect(options?: AutoreconnectOptions): SkClassDecorator;
/** The form the transform emits: stores `options` for `cls` (and its subclasses) and returns `cls`. */
export function autoreconnect<C extends SkClass>(cls: C, options?: AutoreconnectOptions): C;
export function autoreconnect(first?: unknown, second?: unknown): unknown {
  if (typeof first === 'function') {
    if (isDecoratorContext(second)) throw new Error(missingTransform);
    optionsOf.set(first, checked(second));
    return first;
  }
  checked(first);
  return (_value: unknown, context: unknown) => {
    if (isDecoratorContext(context) && (context as { kind: string }).kind !== 'class') {
      throw new TypeError('@autoreconnect(...) decorates an Skprocess class, not a class member');
    }
    throw new Error(missingTransform);
  };
}

/** The `@autoreconnect` options of `cls` or its nearest base class that has them. */
export function autoreconnectOptionsOf(cls: unknown): Readonly<AutoreconnectOptions> | undefined {
  for (let current = cls; typeof current === 'function' && current !== Function.prototype; current = Object.getPrototypeOf(current)) {
    const options = optionsOf.get(current);
    if (options !== undefined) return options;
  }
  return undefined;
}

/** The auth table of the options (everything but `startThreads`). */
export function authOf(options: Readonly<AutoreconnectOptions>): ReconnectAuth {
  const { startThreads: _ignored, ...auth } = options;
  return auth as ReconnectAuth;
}

/**
 * For the engine: the reconnection to await before the first `__prerun__`
 * when the instance's class has `@autoreconnect`, else `undefined` (no
 * microtask hop for classes without it).
 */
export function pendingAutoreconnect(instance: object): (() => Promise<unknown>) | undefined {
  const options = autoreconnectOptionsOf(instance.constructor);
  return options === undefined ? undefined : () => reconnectAll(instance, authOf(options));
}
