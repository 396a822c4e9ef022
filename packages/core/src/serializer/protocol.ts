/**
 * The wire shape of a serialized value: types only, plus the two constants
 * both sides check. Everything here is structured-clonable.
 *
 * One envelope is cloned by ONE structured clone (postMessage), and structured
 * clone keeps object identity inside one message. So an object listed in a side
 * table (`instances`, `fix`) is, on the receiving side, the very object that
 * sits inside `root`: the receiver fixes objects up in place.
 */

/** The format marker every envelope carries. */
export const FORMAT = 'suitkaise/cucumber';
/** The envelope version this build writes and reads. */
export const VERSION = 1;

/** What `serialize` returns: what goes through postMessage / structuredClone. */
export interface Envelope {
  readonly format: typeof FORMAT;
  readonly version: typeof VERSION;
  /** The value itself (containers on the way to a substituted value are copies). */
  readonly root: unknown;
  /** Registered class ids, indexed by `instances`. */
  readonly classes?: readonly string[];
  /**
   * Flat pairs `object, index into classes`: objects whose prototype the receiver
   * restores; index -1 restores a null prototype.
   */
  readonly instances?: readonly unknown[];
  /** Placeholders standing in for values structured clone cannot carry as they are. */
  readonly subs?: readonly Placeholder[];
  /**
   * Receiver work, dependencies first: a number `n` rebuilds `subs[n]` (an error or a
   * `fromState` object); an object is a container whose placeholder children are replaced.
   */
  readonly fix?: readonly unknown[];
  /** Flat pairs `RegExp, lastIndex`: structured clone resets `lastIndex` to 0. */
  readonly lastIndex?: readonly unknown[];
  /**
   * Flat pairs `object, level` for objects, arrays, Maps and Sets that are not extensible
   * (structured clone makes every copy extensible): level {@link SEALED}, {@link FROZEN} or {@link NOT_EXTENSIBLE}. Applied last.
   */
  readonly integrity?: readonly unknown[];
}

/** Integrity levels in {@link Envelope.integrity}. */
export const NOT_EXTENSIBLE = 1, SEALED = 2, FROZEN = 3;

/** A registered function (or class) sent by reference. */
export interface FunctionRef {
  readonly k: 'fn';
  readonly id: string;
}

/** A `Symbol.for(key)` symbol. */
export interface SymbolRef {
  readonly k: 'sym';
  readonly key: string;
}

/** One of the realm's intrinsics (intrinsics.ts), by name: the receiver's own arrives. */
export interface IntrinsicRef {
  readonly k: 'intrinsic';
  readonly name: string;
}

/** An instance of a registered class with `toState()` / `static fromState(state)`. */
export interface StateRecord {
  readonly k: 'state';
  readonly id: string;
  readonly state: unknown;
}

/** Built-in error classes an error is rebuilt as when its own class is not registered. */
export type BuiltinErrorName =
  | 'Error'
  | 'TypeError'
  | 'RangeError'
  | 'ReferenceError'
  | 'SyntaxError'
  | 'EvalError'
  | 'URIError'
  | 'AggregateError'
  | 'DOMException';

/** An `Error` (structured clone alone would lose its class and own properties). */
export interface ErrorRecord {
  readonly k: 'error';
  /** Registered class id; absent for built-in and unregistered classes. */
  readonly id?: string;
  /** The built-in class to rebuild as when `id` is absent. */
  readonly base?: BuiltinErrorName;
  /** Set when the rebuilt class would not give the same `name`. */
  readonly name?: string;
  readonly message?: string;
  readonly stack?: string;
  /** Present (possibly `undefined`) exactly when the error had an own `cause`. */
  readonly cause?: unknown;
  /** Own enumerable properties as flat pairs `key, value`. */
  readonly props: readonly unknown[];
  /** `AggregateError#errors`, present exactly when the error had it. */
  readonly errors?: unknown;
}

/** Every kind of placeholder. */
export type Placeholder = FunctionRef | SymbolRef | IntrinsicRef | StateRecord | ErrorRecord;
