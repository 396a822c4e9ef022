/**
 * Every error suitkaise throws or rejects with. One module, so that callers
 * can `instanceof`-check against a single set of classes on both sides of a
 * worker boundary.
 */

/** Lifecycle sections a process runs, in order, by the names timeouts, timers and errors use. The one list of them. */
export const SECTIONS = ['prerun', 'run', 'postrun', 'onfinish', 'result', 'error'] as const;

/** A lifecycle section a process runs, by the name timeouts and errors use. */
export type Section = (typeof SECTIONS)[number];

const hookNames: Record<Section, string> = {
  prerun: '__prerun__',
  run: '__run__',
  postrun: '__postrun__',
  onfinish: '__onfinish__',
  result: '__result__',
  error: '__error__',
};

/** The hook name (`__run__`) of a section (`run`). */
export function hookOf(section: Section): string {
  return hookNames[section];
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** Keep `name` off the instance (so it does not travel as an own field) but right on the class. */
/** The error's `name`, and the class's own: an uncaught one prints as `RunError: …`, not `cls [RunError]: …`. */
function nameClass(cls: { prototype: Error }, name: string): void {
  Object.defineProperty(cls.prototype, 'name', { value: name, writable: true, configurable: true, enumerable: false });
  Object.defineProperty(cls, 'name', { value: name, configurable: true });
}

/** Options every {@link ProcessError} accepts. */
export interface ProcessErrorOptions {
  /** The run index the process was on when it failed. */
  currentRun?: number;
  /** The error thrown by user code, also set as the standard `cause`. See {@link ProcessError.originalError}. */
  originalError?: unknown;
}

/** Base class of every error a process reports. */
export class ProcessError extends Error {
  /** The run index (0-based) the process was on when it failed. */
  currentRun: number;
  /**
   * The underlying error, also available as `cause`: what the hook threw, sent back from the
   * worker with its `name`, `message`, `stack`, `cause` and own properties. Its class survives
   * only if it is registered (`@sk()` on the exported error class, or `cucumber.register`);
   * an unregistered `Error` subclass comes back as the nearest built-in class (`Error`,
   * `TypeError`, …) with its `name` kept, so test `originalError.name`, not `instanceof`.
   */
  originalError: unknown;

  constructor(message: string, options: ProcessErrorOptions = {}) {
    super(message, 'originalError' in options ? { cause: options.originalError } : undefined);
    this.currentRun = options.currentRun ?? 0;
    this.originalError = options.originalError;
  }
}
nameClass(ProcessError, 'ProcessError');

/** A lifecycle section threw. Subclassed once per section. */
export abstract class SectionError extends ProcessError {
  /** The section that threw. */
  abstract readonly section: Section;
}

function sectionErrorClass(section: Section, name: string) {
  const cls = class extends SectionError {
    readonly section: Section = section;
    constructor(originalError: unknown, currentRun = 0) {
      super(`${hookOf(section)} failed on run ${currentRun}: ${messageOf(originalError)}`, { currentRun, originalError });
    }
  };
  nameClass(cls, name);
  return cls;
}

/** `__prerun__` threw. */
export const PreRunError = sectionErrorClass('prerun', 'PreRunError');
/** `__prerun__` threw. */
export type PreRunError = InstanceType<typeof PreRunError>;
/** `__run__` threw. */
export const RunError = sectionErrorClass('run', 'RunError');
/** `__run__` threw. */
export type RunError = InstanceType<typeof RunError>;
/** `__postrun__` threw. */
export const PostRunError = sectionErrorClass('postrun', 'PostRunError');
/** `__postrun__` threw. */
export type PostRunError = InstanceType<typeof PostRunError>;
/** `__onfinish__` threw. */
export const OnFinishError = sectionErrorClass('onfinish', 'OnFinishError');
/** `__onfinish__` threw. */
export type OnFinishError = InstanceType<typeof OnFinishError>;
/** `__result__` threw. */
export const ResultError = sectionErrorClass('result', 'ResultError');
/** `__result__` threw. */
export type ResultError = InstanceType<typeof ResultError>;
/** `__error__` threw. */
export const ErrorHandlerError = sectionErrorClass('error', 'ErrorHandlerError');
/** `__error__` threw. */
export type ErrorHandlerError = InstanceType<typeof ErrorHandlerError>;

/** The section error class for each section. */
export const sectionErrors = {
  prerun: PreRunError,
  run: RunError,
  postrun: PostRunError,
  onfinish: OnFinishError,
  result: ResultError,
  error: ErrorHandlerError,
} as const;

/** A lifecycle section ran past its `processConfig.timeouts` entry. */
export class ProcessTimeoutError extends ProcessError {
  /** The section that timed out (`run`, `prerun`, …). */
  readonly section: Section;
  /** The timeout that was exceeded, in milliseconds. */
  readonly timeout: number;

  constructor(section: Section, timeout: number, currentRun = 0) {
    super(`${hookOf(section)} timed out after ${timeout} ms on run ${currentRun}`, { currentRun });
    this.section = section;
    this.timeout = timeout;
  }
}
nameClass(ProcessTimeoutError, 'ProcessTimeoutError');

/** A `.timeout(ms)` modifier ran out before the call settled. */
export class ResultTimeoutError extends ProcessError {
  /** The timeout that was exceeded, in milliseconds. */
  readonly timeout: number;

  constructor(timeout: number, what = 'call') {
    super(`${what} did not settle within ${timeout} ms`);
    this.timeout = timeout;
  }
}
nameClass(ResultTimeoutError, 'ResultTimeoutError');

/** A pipe endpoint was used in a way its lock forbids. */
export class PipeEndpointError extends ProcessError {}
nameClass(PipeEndpointError, 'PipeEndpointError');

/** A value cannot be sent to or received from a worker. */
export class SerializationError extends ProcessError {
  /** Where in the object graph the value sits, e.g. `root.handlers[2]`. */
  readonly path: string;

  constructor(message: string, path = 'root', cause?: unknown) {
    super(`${message} (at ${path})`, cause === undefined ? {} : { originalError: cause });
    this.path = path;
  }
}
nameClass(SerializationError, 'SerializationError');

/**
 * A copy of `error` that can cross a worker boundary: the same name, message and stack, with the
 * cause chain copied the same way (what cannot be sent there is degraded, not lost silently).
 */
export function sendableCopy(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error) || depth > 32) return error instanceof Error ? undefined : String(error);
  const copy = new Error(error.message, error.cause === undefined ? undefined : { cause: sendableCopy(error.cause, depth + 1) });
  copy.name = error.name;
  copy.stack = error.stack;
  return copy;
}

