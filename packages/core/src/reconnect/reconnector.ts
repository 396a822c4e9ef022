/**
 * `Reconnector`: what arrives in a worker in place of a live resource (a
 * database client, a socket, a file handle), and the registry of resource
 * types behind it. Every type rides ONE cucumber codec, so a worker can
 * deserialize a Reconnector of any type, and only reconnecting it needs the
 * type registered there.
 */
import { register } from '../runtime/registry.ts';
import { registerCodec } from '../serializer/codecs.ts';
import { className } from './util.ts';
import type { ReconnectCredential, ReconnectAuth, ReconnectCredentials, ReconnectorDetails, ReconnectorSpec } from './types.ts';

/** Reconnecting a resource failed, or no reconnector is registered for its type. */
export class ReconnectError extends Error {
  /** The resource type (`'pg.Client'`). */
  readonly type: string;
  /** The field the resource sat in, when known. */
  readonly attrName: string | undefined;

  constructor(message: string, type: string, attrName?: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.type = type;
    this.attrName = attrName;
  }
}
Object.defineProperty(ReconnectError.prototype, 'name', { value: 'ReconnectError', writable: true, configurable: true });

type AnySpec = ReconnectorSpec<object, ReconnectorDetails, unknown>;

/** Registered types, in registration order; later ones are asked first. */
const specs = new Map<string, AnySpec>();
/** Which spec matched a prototype (cleared when a type is registered). */
let matches = new WeakMap<object, { type: string; spec: AnySpec } | null>();

function defaultTest(type: string): (value: object) => boolean {
  const name = type.slice(type.lastIndexOf('.') + 1);
  return (value) => className(value) === name;
}

/** The registered type `value` is a live resource of, if any (by class, cached per prototype). */
export function resourceTypeOf(value: object): { type: string; spec: AnySpec } | undefined {
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto !== null) {
    const cached = matches.get(proto);
    if (cached !== undefined) return cached ?? undefined;
  }
  let found: { type: string; spec: AnySpec } | null = null;
  const entries = [...specs];
  for (let i = entries.length - 1; i >= 0 && found === null; i--) {
    const [type, spec] = entries[i]!;
    let matched = false;
    try {
      matched = spec.test!(value);
    } catch {
      // A test that trips over a foreign object (a throwing getter) does not match it.
    }
    if (matched) found = { type, spec };
  }
  if (proto !== null) matches.set(proto, found);
  return found ?? undefined;
}

/**
 * Add (or replace) a type of live resource: its instances cross worker
 * boundaries as {@link Reconnector}s holding `capture(value)`, and
 * `reconnector.reconnect(auth)` calls `reconnect(details, credentials)`.
 * Register it on both sides (in a module the worker imports too); later
 * registrations are asked before earlier ones, so an app can override a built-in type.
 *
 * ```ts
 * cucumber.registerReconnector('mylib.Connection', {
 *   test: (value) => value instanceof Connection,
 *   capture: (conn) => ({ host: conn.host, port: conn.port }),
 *   reconnect: (details, auth) => Connection.open({ ...details, password: auth?.password }),
 * });
 * ```
 * @throws TypeError when `type` is empty or `capture` / `reconnect` is missing.
 */
export function registerReconnector<T extends object, D extends ReconnectorDetails, R>(type: string, spec: ReconnectorSpec<T, D, R>): void {
  if (typeof type !== 'string' || type === '') throw new TypeError('registerReconnector(type, spec): type must be a non-empty string');
  if (typeof spec?.capture !== 'function' || typeof spec.reconnect !== 'function') {
    throw new TypeError(`registerReconnector('${type}', spec): spec needs capture(value) and reconnect(details, auth) functions`);
  }
  if (spec.test !== undefined && typeof spec.test !== 'function') {
    throw new TypeError(`registerReconnector('${type}', spec): spec.test must be a function (value) => boolean when given`);
  }
  const test = spec.test ?? defaultTest(type);
  specs.delete(type);
  specs.set(type, { test: (value) => test.call(spec, value), capture: spec.capture.bind(spec), reconnect: spec.reconnect.bind(spec) } as AnySpec);
  matches = new WeakMap();
}

/** `auth[type][attrName] ?? auth[type]['*']`, as credentials. */
export function credentialFor(auth: ReconnectAuth | undefined, type: string, attrName: string | undefined): ReconnectCredentials | undefined {
  const entry = auth?.[type];
  if (entry === undefined || entry === null || typeof entry !== 'object') return undefined;
  const picked = (attrName !== undefined && Object.hasOwn(entry, attrName) ? entry[attrName] : undefined) ?? entry['*'];
  return toCredentials(picked);
}

/** A string credential is a password. */
function toCredentials(credential: ReconnectCredential | undefined): ReconnectCredentials | undefined {
  if (credential === undefined || credential === null) return undefined;
  if (typeof credential === 'string') return { password: credential };
  if (typeof credential === 'object') return credential;
  throw new TypeError(`a credential must be a string (the password) or an object like { password }, got ${typeof credential}`);
}

/** A short description for messages: never holds a secret, since details never do. */
function describe(details: ReconnectorDetails): string {
  const { url, host, port, path, database, filename, name } = details;
  const where = typeof url === 'string' ? url
    : typeof path === 'string' ? path
    : typeof filename === 'string' ? filename
    : typeof host === 'string' ? `${host}${typeof port === 'number' ? `:${port}` : ''}${typeof database === 'string' ? `/${database}` : ''}`
    : typeof name === 'string' ? name : '';
  return where ? ` at ${where}` : '';
}

/**
 * What arrives in a worker in place of a live resource: its type and what is
 * needed to reconnect it, never a secret. `await reconnector.reconnect(auth)`
 * gives a new live resource; `cucumber.reconnectAll(value, auth)` or
 * `@autoreconnect({...})` do that for every Reconnector in a value.
 * @typeParam R - the resource `reconnect()` resolves to.
 */
export class Reconnector<R = unknown> {
  /** The resource type: `'pg.Client'`, `'pg.Pool'`, `'ioredis.Redis'`, `'redis.Client'`, `'ws.WebSocket'`, … */
  readonly type: string;
  /** What `reconnect` needs: host, port, database, user, path, URL without userinfo, options. Never a secret. */
  readonly details: ReconnectorDetails;
  /**
   * The name of the field the resource sat in, which picks per-field auth.
   * Filled by `reconnectAll` as it walks (a codec cannot see the path); `undefined` until then.
   */
  attrName: string | undefined;

  constructor(type: string, details: ReconnectorDetails, attrName?: string) {
    this.type = type;
    this.details = details;
    this.attrName = attrName;
  }

  /**
   * Open a new live resource like the one captured, with `auth` (a password
   * string, or credentials: see {@link ReconnectCredentials}). Resolves once it
   * is ready to use (connected, open). The type must be registered in this
   * thread: the built-ins are; an app's own types need `registerReconnector`
   * in a module this thread imports.
   * @throws ReconnectError (as a rejection) naming the type, field and where it connects to, with the driver's error as `cause`.
   */
  async reconnect(auth?: ReconnectCredential): Promise<R> {
    const spec = specs.get(this.type);
    const field = this.attrName === undefined ? '' : ` (field '${this.attrName}')`;
    if (spec === undefined) {
      throw new ReconnectError(
        `no reconnector is registered for '${this.type}' in this thread${field}: call cucumber.registerReconnector('${this.type}', ...) ` +
          'in a module both sides import',
        this.type, this.attrName,
      );
    }
    const details = typeof this.details === 'object' && this.details !== null ? this.details : {};
    try {
      return (await spec.reconnect(details, toCredentials(auth))) as R;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ReconnectError(`could not reconnect '${this.type}'${field}${describe(details)}: ${reason}`, this.type, this.attrName, error);
    }
  }
}
register(Reconnector, { id: 'suitkaise:Reconnector' });
register(ReconnectError, { id: 'suitkaise:ReconnectError' });

/** The cucumber codec every reconnector type rides: a live resource becomes `{ type, details }`. */
interface ResourceState {
  type: string;
  details: ReconnectorDetails;
}

registerCodec<object, ResourceState>('suitkaise:live-resource', {
  test: (value): value is object => resourceTypeOf(value) !== undefined,
  toState(value) {
    const found = resourceTypeOf(value)!;
    const details = found.spec.capture(value);
    if (typeof details !== 'object' || details === null) {
      throw new TypeError(`capture() of reconnector '${found.type}' must return an object of details`);
    }
    return { type: found.type, details };
  },
  fromState(state) {
    if (typeof state !== 'object' || state === null || typeof state.type !== 'string' || typeof state.details !== 'object' || state.details === null) {
      throw new TypeError('a live-resource state needs a string type and an object of details');
    }
    return new Reconnector(state.type, state.details);
  },
});
