/**
 * Types of the live-resource machinery: what a `Reconnector` carries, how a
 * resource type is described to cucumber, and the seed's auth scheme (by type,
 * then by attribute name, with `'*'` as the default).
 */

/** A value a {@link ReconnectorDetails} may hold: plain data only, so it crosses any boundary. */
export type DetailValue =
  | string
  | number
  | boolean
  | null
  | undefined
  | readonly DetailValue[]
  | { readonly [key: string]: DetailValue };

/**
 * What a `Reconnector` carries to reconnect: host, port, database, user, path,
 * a URL without userinfo, options. Never a password, token or URL userinfo.
 */
export type ReconnectorDetails = { readonly [key: string]: DetailValue };

/**
 * Credentials in object form. A string credential means `{ password: string }`.
 * The built-in reconnectors spread the other entries into the options the
 * driver is constructed with, so secrets kept out of the details (`ssl.key`,
 * `headers`) can be given back here.
 */
export interface ReconnectCredentials {
  /** The password (or token) to connect with. */
  readonly password?: string;
  /** Overrides the captured user name. */
  readonly username?: string;
  /** Anything else the type's reconnector understands (driver options). */
  readonly [option: string]: unknown;
}

/** A credential for one resource: a password (or token) string, or {@link ReconnectCredentials}. */
export type ReconnectCredential = string | ReconnectCredentials;

/** Credentials of one type, by the name of the field the resource sat in; `'*'` is the default. */
export interface ReconnectAuthEntry {
  /** Default for every resource of this type. */
  readonly '*'?: ReconnectCredential;
  /** For the resource found under this attribute (field) name. */
  readonly [attrName: string]: ReconnectCredential | undefined;
}

/**
 * The seed's auth scheme: `{ 'pg.Client': { '*': pw, analyticsDb: pw2 } }`.
 * A resource of type `t` found under the field `a` uses `auth[t][a] ?? auth[t]['*']`.
 */
export interface ReconnectAuth {
  readonly [type: string]: ReconnectAuthEntry | undefined;
}

/** How one type of live resource crosses a worker boundary. See `cucumber.registerReconnector`. */
export interface ReconnectorSpec<T extends object = object, D extends ReconnectorDetails = ReconnectorDetails, R = unknown> {
  /**
   * Whether `value` is a resource of this type. Asked once per prototype per
   * `serialize` call, so decide by class: constructor name plus characteristic
   * members, never by importing the driver. Without it, an object matches when
   * its class's name equals the type's last dot-separated segment
   * (`'mylib.Connection'` matches instances of a class named `Connection`).
   */
  test?(value: object): boolean;
  /**
   * What is needed to reconnect `value`, as plain data. Must not include a
   * password, token or URL userinfo: the details travel to the worker and may
   * be logged. Throw (with what to do) for an instance that cannot be reconnected.
   */
  capture(value: T): D;
  /** A new live resource from the details and the credentials picked for it (ready to use once it settles). */
  reconnect(details: D, auth: ReconnectCredentials | undefined): R | Promise<R>;
}

/** Options of `@autoreconnect(...)`: `startThreads`, and the auth table as the other keys. */
export interface AutoreconnectOptions {
  /**
   * Accepted for parity with the Python library, where it starts deserialized
   * threads. JavaScript has no threads inside an object's state to start (a
   * worker is started by its owner), so it is ignored.
   * @default false
   */
  readonly startThreads?: boolean;
  /** Credentials by resource type, then by field name; see {@link ReconnectAuth}. */
  readonly [type: string]: ReconnectAuthEntry | boolean | undefined;
}
