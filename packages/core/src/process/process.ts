/**
 * `Skprocess`: the class users extend. A facade: what happens in the parent
 * lives in supervisor.ts, what happens in the worker in engine.ts; both reach
 * the instance through a binding kept outside it, so nothing of theirs is
 * serialized with the instance's state.
 */
import { ProcessError } from '../errors.ts';
import { defaultProcessConfig, type ProcessConfig } from './config.ts';
import { modifiable, type Listen, type Modifiable } from '../modifiers.ts';
import type { ProcessTimers } from '../timing/timing.ts';

/** What a running process answers to, on either side of the worker boundary. */
export interface ProcessBinding {
  readonly side: 'parent' | 'worker';
  readonly currentRun: number;
  readonly error: ProcessError | null;
  readonly isAlive: boolean;
  readonly timers: ProcessTimers | null;
  stop(): void;
  kill(): void;
  tell(data: unknown): void;
  listen(timeout?: number, signal?: AbortSignal): Promise<unknown>;
  wait(timeout?: number): Promise<boolean>;
  result(): Promise<unknown>;
}

const bindings = new WeakMap<object, ProcessBinding>();
/** Each instance's `listen`, made once: a `listen()` loop reads it once per message. */
const listens = new WeakMap<object, Listen>();

/** Attach the running side of `instance` (used by the supervisor and the engine). */
export function bindProcess(instance: object, binding: ProcessBinding): void {
  bindings.set(instance, binding);
}

/** The running side of `instance`, if it was started. */
export function bindingOf(instance: object): ProcessBinding | undefined {
  return bindings.get(instance);
}

type Starter = (process: Skprocess<unknown>) => ProcessBinding;
let starter: Starter | null = null;

/** Installed by the supervisor module, so that this facade does not import the parent machinery in workers. */
export function installStarter(start: Starter): void {
  starter = start;
}

function notStarted(what: string): ProcessError {
  return new ProcessError(`${what}: the process has not been started; call start() or run() first`);
}

/**
 * The optional lifecycle hooks a subclass may define (sync or async), as
 * {@link Skprocess} types them: a subclass's `__result__` must return `R` or a
 * `Promise<R>`, and no hook takes arguments.
 */
export interface ProcessHooks<R = unknown> {
  /** Before each run. */
  __prerun__?(): unknown;
  /** After each run; then `currentRun` increments. */
  __postrun__?(): unknown;
  /** Once, after `stop()`, `runs` reached or `joinIn` elapsed. */
  __onfinish__?(): unknown;
  /** After `__onfinish__`; its value is what `result()` resolves to. */
  __result__?(): R | Promise<R>;
  /** When lives are exhausted; reads `this.error`. Default: returns `this.error`. A returned `Error` rejects `result()`. */
  __error__?(): unknown;
}

/** The same hooks declared `abstract`: a type only (`declare`: nothing is emitted). */
declare abstract class AbstractProcessHooks<R> {
  abstract __prerun__?(): unknown;
  abstract __postrun__?(): unknown;
  abstract __onfinish__?(): unknown;
  abstract __result__?(): R | Promise<R>;
  abstract __error__?(): unknown;
}
type TypedHooks<R> = AbstractProcessHooks<R> & ProcessHooks<R>;

// The optional hooks are typed on every subclass (`__result__() { return 'one' }` in an
// `Skprocess<number>` is a type error) through this merged interface, not as class members, so
// that a hook may be written with or without `override` whether or not `noImplicitOverride` is
// on. Each hook is a member of an intersection that declares it twice: TypeScript asks no
// `override` for it (one of its declarations is abstract, and implementing an abstract member
// needs none) and does not ask subclasses to implement it (for that it reads `abstract` off a
// member's one value declaration, which a member declared on both sides lacks). Plain class
// members would need `override` under `noImplicitOverride`; abstract ones would have to be
// implemented. test/hook-types.node.test.ts checks it with the flag on and off.
export interface Skprocess<R = unknown> extends TypedHooks<R> {}

/**
 * Base class of a worker process. Subclass it, decorate the subclass with
 * `@sk()`, implement `__run__`, and optionally the other lifecycle hooks.
 * Instance fields are the process's state, sent to the worker at `start()`.
 * @typeParam R - what `__result__()` returns, so what `result()` resolves to.
 */
export abstract class Skprocess<R = unknown> {
  /** How this process runs; set its fields in the constructor after `super()`. */
  processConfig: ProcessConfig = defaultProcessConfig();

  /** One run; required; never loops by itself. The other hooks are optional: see {@link ProcessHooks}. */
  abstract __run__(): unknown;

  /** Serialize this instance, spawn its worker and return at once. Throws `SerializationError` if the state cannot be sent. */
  start(): void {
    if (bindings.has(this)) throw new ProcessError('this process was already started; a process runs once, create a new instance to run again');
    if (!starter) throw new ProcessError('the process runtime is not loaded; import Skprocess from @suitkaise/core');
    starter(this as Skprocess<unknown>);
  }

  /** Ask for a graceful stop: the current section finishes, then `__onfinish__` and `__result__`. */
  stop(): void {
    const binding = bindings.get(this);
    if (!binding) throw notStarted('stop()');
    binding.stop();
  }

  /** Terminate now: no `__onfinish__`, no result; `result()` then rejects with `ProcessError`. */
  kill(): void {
    bindings.get(this)?.kill();
  }

  /** Send `data` to the other side (parent ↔ worker). */
  tell(data: unknown): void {
    const binding = bindings.get(this);
    if (!binding) throw notStarted('tell()');
    binding.tell(data);
  }

  /**
   * The next message from the other side; `undefined` after `timeout` ms, or, in the parent, once the
   * process has finished and every message it sent has been read (so a `listen()` loop ends by itself).
   * State the message type if you know it: `await p.listen<Progress>()` is `Progress | undefined`.
   */
  get listen(): Listen {
    let listen = listens.get(this);
    if (listen === undefined) {
      listen = modifiable((signal: AbortSignal | undefined, timeout?: number) => {
        const binding = bindings.get(this);
        return binding ? binding.listen(timeout, signal) : Promise.reject(notStarted('listen()'));
      }, 'listen()') as Listen;
      listens.set(this, listen);
    }
    return listen;
  }

  /** `true` once finished, `false` if `timeout` ms passed first; keeps waiting through retries. */
  get wait(): Modifiable<[timeout?: number], boolean> {
    return modifiable((_signal: AbortSignal | undefined, timeout?: number) => {
      const binding = bindings.get(this);
      return binding ? binding.wait(timeout) : Promise.reject(notStarted('wait()'));
    }, 'wait()');
  }

  /** Waits, then resolves to `__result__()`'s value or rejects with the `ProcessError`. */
  get result(): Modifiable<[], R> {
    return modifiable(() => {
      const binding = bindings.get(this);
      return binding ? (binding.result() as Promise<R>) : Promise.reject(notStarted('result()'));
    }, 'result()');
  }

  /** `start()`, then `wait()`, then `result()`. */
  get run(): Modifiable<[], R> {
    return modifiable(async () => {
      this.start();
      return (await bindings.get(this)!.result()) as R;
    }, 'run()');
  }

  /** Completed runs: the 0-based index of the current one. Live in the parent while running. */
  get currentRun(): number {
    return bindings.get(this)?.currentRun ?? 0;
  }

  /** Whether the worker is running. */
  get isAlive(): boolean {
    return bindings.get(this)?.isAlive ?? false;
  }

  /** Lifecycle timers; filled in the parent once the process has finished. */
  get timers(): ProcessTimers | null {
    return bindings.get(this)?.timers ?? null;
  }

  /** The error that ended the process (inside `__error__`, the one being handled). */
  get error(): ProcessError | null {
    return bindings.get(this)?.error ?? null;
  }

  /** `await using p = new X()` kills the process at scope end if it is still alive. */
  async [Symbol.asyncDispose](): Promise<void> {
    const binding = bindings.get(this);
    if (binding?.isAlive) {
      binding.kill();
      await binding.wait();
    }
  }
}
