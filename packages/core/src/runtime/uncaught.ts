/**
 * Errors no call is waiting for: a worker that crashes after it answered (an error thrown from a
 * timer its code left behind) has nobody to reject. They are reported here, not swallowed.
 */
import { ProcessError } from '../errors.ts';

type Listener = (error: ProcessError) => void;
const listeners = new Set<Listener>();

/**
 * Be told of worker errors that reached no call: a worker that crashed after it sent its result
 * (or while idle in a `Pool`). Without a listener they are printed as warnings
 * (`process.emitWarning` in Node, `console.warn` in browsers). Returns a function that unsubscribes.
 */
export function onUncaught(listener: (error: ProcessError) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Report `error` to the {@link onUncaught} listeners, or as a warning when there are none. */
export function reportUncaught(error: ProcessError): void {
  if (listeners.size > 0) {
    for (const listener of listeners) listener(error);
    return;
  }
  const emitWarning = (globalThis as { process?: { emitWarning?: (warning: Error) => void } }).process?.emitWarning;
  if (typeof emitWarning === 'function') emitWarning(error);
  else console.warn(error);
}
