/**
 * `.timeout(ms)`, `.background()` and `.asynced()` on anything that waits:
 * each returns a function with the same parameters, and they compose
 * (`p.result.timeout(5000).background()()`).
 */
import { ResultTimeoutError } from './errors.ts';

/** A call that has already started: a `PromiseLike` with `done` and `cancel()`. */
export interface Future<T> extends PromiseLike<T> {
  /** Whether the call has settled (or was cancelled). */
  readonly done: boolean;
  /** Stop waiting: the future rejects with an `AbortError`; the underlying work is not undone. */
  cancel(): void;
  /** Like `Promise.prototype.catch`. */
  catch<E = never>(onrejected?: ((reason: unknown) => E | PromiseLike<E>) | null): Promise<T | E>;
}

/** The modifiers on a waiting call. */
export interface Modifiers<A extends unknown[], T> {
  /** The same call, rejecting with `ResultTimeoutError` after `ms` milliseconds. */
  timeout(ms: number): Modifiable<A, T>;
  /** The same call, returning a {@link Future} that has already started. */
  background(): Backgrounded<A, T>;
  /** The `Promise`-returning form (the plain call already is one). */
  asynced(): Modifiable<A, T>;
}

/** A `Promise`-returning call that carries {@link Modifiers}. */
export type Modifiable<A extends unknown[], T> = ((...args: A) => Promise<T>) & Modifiers<A, T>;

/** A {@link Future}-returning call; its modifiers compose the same way. */
export type Backgrounded<A extends unknown[], T> = ((...args: A) => Future<T>) & {
  /** The same call with a timeout, still returning a {@link Future}. */
  timeout(ms: number): Backgrounded<A, T>;
  /** Already backgrounded: returns itself. */
  background(): Backgrounded<A, T>;
  /** Back to the `Promise`-returning form. */
  asynced(): Modifiable<A, T>;
};

/**
 * `listen`: a {@link Modifiable} whose caller may state the message type. `await p.listen<Msg>()`
 * is `Msg | undefined`: `undefined` after a timeout, or once the process has finished. The type
 * is the caller's word, not checked at run time; without one, the message is `unknown`.
 */
export interface Listen {
  <T = unknown>(timeout?: number): Promise<T | undefined>;
  /** The same call, rejecting with `ResultTimeoutError` after `ms` milliseconds. */
  timeout(ms: number): Listen;
  /** The same call, returning a {@link Future} that has already started. */
  background(): BackgroundedListen;
  /** The `Promise`-returning form (the plain call already is one). */
  asynced(): Listen;
}

/** A {@link Future}-returning {@link Listen}. */
export interface BackgroundedListen {
  <T = unknown>(timeout?: number): Future<T | undefined>;
  /** The same call with a timeout, still returning a {@link Future}. */
  timeout(ms: number): BackgroundedListen;
  /** Already backgrounded: returns itself. */
  background(): BackgroundedListen;
  /** Back to the `Promise`-returning form. */
  asynced(): Listen;
}

/** Throws a `RangeError` unless `ms` is a non-negative number of milliseconds. */
export function checkTimeout(ms: number): void {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
    throw new RangeError(`timeout must be a non-negative number of milliseconds, got ${String(ms)}`);
  }
}

/** The longest delay timers accept (2³¹ − 1 ms); longer waits are capped to it. */
const MAX_DELAY = 2_147_483_647;

/**
 * A call that can be told to stop waiting: `signal` aborts when a `.timeout()` runs out or a
 * {@link Future} is cancelled, so that the call can give up what it holds (a `listen()` its place in line).
 */
export type AbortableCall<A extends unknown[], T> = (signal: AbortSignal | undefined, ...args: A) => Promise<T>;

/** A controller that also aborts when `outer` does (modifiers nest). */
function linkedController(outer: AbortSignal | undefined): AbortController {
  const controller = new AbortController();
  if (outer?.aborted) controller.abort();
  else outer?.addEventListener('abort', () => controller.abort(), { once: true });
  return controller;
}

/** Settle `promise`, or reject with `ResultTimeoutError` after `ms` (then `onTimeout` runs). */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string, onTimeout?: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout?.();
      reject(new ResultTimeoutError(ms, what));
    }, Math.min(ms, MAX_DELAY));
    promise.then(
      (value) => { clearTimeout(timer); resolve(value); },
      (error: unknown) => { clearTimeout(timer); reject(error); },
    );
  });
}

function abortError(): Error {
  const error = new Error('the call was cancelled');
  error.name = 'AbortError';
  return error;
}

/** Start `promise` as a {@link Future}; `onCancel` runs when it is cancelled. */
export function toFuture<T>(promise: Promise<T>, onCancel?: () => void): Future<T> {
  let done = false;
  let cancel: () => void = () => {};
  const settled = new Promise<T>((resolve, reject) => {
    cancel = () => {
      if (done) return;
      done = true;
      onCancel?.();
      reject(abortError());
    };
    promise.then(
      (value) => { done = true; resolve(value); },
      (error: unknown) => { done = true; reject(error); },
    );
  });
  // A cancelled future nobody awaits must not be an unhandled rejection; awaiting it still rejects.
  settled.catch(() => {});
  return {
    get done() { return done; },
    cancel: () => cancel(),
    then: (onfulfilled, onrejected) => settled.then(onfulfilled, onrejected),
    catch: (onrejected) => settled.catch(onrejected),
  };
}

/** Give `call` the modifiers; `what` names it in timeout errors (`result()`, `listen()`). */
export function modifiable<A extends unknown[], T>(call: AbortableCall<A, T>, what: string): Modifiable<A, T> {
  const fn = ((...args: A) => call(undefined, ...args)) as Modifiable<A, T>;
  fn.timeout = (ms: number) => modifiable(timed(call, ms, what), what);
  fn.background = () => backgrounded(call, what);
  fn.asynced = () => modifiable(call, what);
  return fn;
}

function timed<A extends unknown[], T>(call: AbortableCall<A, T>, ms: number, what: string): AbortableCall<A, T> {
  checkTimeout(ms);
  return (signal, ...args) => {
    const controller = linkedController(signal);
    return withTimeout(call(controller.signal, ...args), ms, what, () => controller.abort());
  };
}

function backgrounded<A extends unknown[], T>(call: AbortableCall<A, T>, what: string): Backgrounded<A, T> {
  const fn = ((...args: A) => {
    const controller = new AbortController();
    return toFuture(call(controller.signal, ...args), () => controller.abort());
  }) as Backgrounded<A, T>;
  fn.timeout = (ms: number) => backgrounded(timed(call, ms, what), what);
  fn.background = () => fn;
  fn.asynced = () => modifiable(call, what);
  return fn;
}
