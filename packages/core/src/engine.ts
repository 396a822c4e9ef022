/**
 * The lifecycle loop that runs inside a worker: prerun → run → postrun per
 * iteration until `stop()`, `runs` or `joinIn`; then onfinish → result. A
 * thrown error costs a life and retries the same run with the state kept;
 * with no lives left, `__error__` decides the outcome.
 */
import type * as Comlink from 'comlink';
import { resolveProcessConfig, type ProcessConfig } from './config.ts';
import { ControlBlock, SECTIONS, sharedNow } from './control.ts';
import { ProcessError, ResultError, hookOf, sectionErrors, type Section } from './errors.ts';
import { END_OF_MAIL, Mailbox, decodeMail, encodeMail } from './mailbox.ts';
import { Skprocess, bindProcess, type ProcessBinding } from './process.ts';
import type { Outcome, ParentApi, StartMessage } from './protocol.ts';
import { deserialize, serialize, type SerializedValue } from './serializer/index.ts';
import { ProcessTimers, Sktimer } from './timing.ts';

type Hook = () => unknown;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** The worker side of a process: what `this.stop()`, `this.tell()` … do inside hooks. */
class WorkerBinding implements ProcessBinding {
  readonly side = 'worker';
  readonly isAlive = true;
  readonly timers = null;
  error: ProcessError | null = null;
  #stopped = false;
  readonly #inbox = new Mailbox<unknown>();

  constructor(
    private readonly control: ControlBlock,
    private readonly mail: MessagePort,
  ) {
    mail.onmessage = (event: MessageEvent) => this.#inbox.push(decodeMail(event.data));
  }

  get currentRun(): number { return this.control.currentRun; }
  get stopRequested(): boolean { return this.#stopped || this.control.stopRequested; }
  stop(): void { this.#stopped = true; this.control.requestStop(); }
  /** Marks a stop asked for by message (no shared memory). */
  markStopped(): void { this.#stopped = true; }
  kill(): void { throw new ProcessError('kill() is for the parent; inside a hook, call this.stop() or throw'); }
  tell(data: unknown): void { this.mail.postMessage(encodeMail(data)); }
  listen(timeout?: number): Promise<unknown> { return this.#inbox.next(timeout); }
  /** No more tells: the parent settles the process once it has read this far. */
  endMail(): void {
    this.mail.postMessage(END_OF_MAIL);
    this.mail.onmessage = null;
  }
  wait(): Promise<boolean> { return Promise.reject(new ProcessError('wait() is for the parent, not inside a hook')); }
  result(): Promise<unknown> { return Promise.reject(new ProcessError('result() is for the parent, not inside a hook')); }
}

/** Serialize what a process hands back; a value that cannot be sent becomes a `ResultError` naming where. */
function sendable(value: unknown, currentRun: number): { ok: boolean; payload: SerializedValue } {
  try {
    return { ok: true, payload: serialize(value) };
  } catch (error) {
    return { ok: false, payload: serialize(new ResultError(error, currentRun)) };
  }
}

function serializeError(error: ProcessError): SerializedValue {
  try {
    return serialize(error);
  } catch {
    // The original error holds something unsendable: keep its message, drop the rest.
    return serialize(new ProcessError(error.message, { currentRun: error.currentRun }));
  }
}

/** Runs one process to its end. `onStopMessage` receives the stop requester where there is no shared memory. */
export async function runProcess(
  start: StartMessage,
  parent: Comlink.Remote<ParentApi>,
  onStopMessage: (stop: () => void) => void,
): Promise<Outcome> {
  const control = new ControlBlock(start.control);
  const shared = start.control !== null;
  control.currentRun = start.currentRun;
  control.livesLeft = start.livesLeft;
  const instance = deserialize(start.state);
  if (!(instance instanceof Skprocess)) throw new ProcessError(`${start.classId} is not an Skprocess`);
  const binding = new WorkerBinding(control, start.mail);
  bindProcess(instance, binding);
  onStopMessage(() => binding.markStopped());
  const config: ProcessConfig = resolveProcessConfig(instance.processConfig);

  const hooks = {} as Record<Section, Hook | null>;
  const timers = {} as Record<Section, Sktimer | null>;
  for (const section of SECTIONS) {
    const hook = (instance as unknown as Record<string, unknown>)[hookOf(section)];
    hooks[section] = typeof hook === 'function' ? (hook as Hook) : null;
    timers[section] = hooks[section] ? new Sktimer() : null;
  }
  const fullRun = new Sktimer();
  const reportsProgress = !shared && Object.values(config.timeouts).some((limit) => limit !== null);

  // Awaits only what a hook returns as a promise: a missing or synchronous hook costs no microtask hop.
  const runSection = (section: Section): unknown => {
    const hook = hooks[section];
    if (!hook) return undefined;
    const startedAt = sharedNow();
    control.enterSection(section, startedAt);
    if (reportsProgress) void parent.progress(control.currentRun, control.livesLeft, SECTIONS.indexOf(section), startedAt).catch(() => {});
    const began = performance.now();
    const finish = (value: unknown) => {
      timers[section]!.addTime(performance.now() - began);
      control.leaveSection();
      return value;
    };
    const fail = (error: unknown): never => {
      control.leaveSection();
      throw new sectionErrors[section](error, control.currentRun);
    };
    let value: unknown;
    try {
      value = hook.call(instance);
    } catch (error) {
      return fail(error);
    }
    return isThenable(value) ? Promise.resolve(value).then(finish, fail) : finish(value);
  };
  const settle = async (value: unknown): Promise<unknown> => (isThenable(value) ? await value : value);

  const outcome = (status: Outcome['status'], value: unknown, error: ProcessError | null): Outcome => {
    const result = sendable(value, control.currentRun);
    binding.endMail();
    return {
      status: result.ok ? status : 'rejected',
      payload: result.payload,
      error: error ? serializeError(error) : null,
      timers: new ProcessTimers({ ...timers, fullRun }).toState(),
      currentRun: control.currentRun,
    };
  };

  const handleFailure = async (failure: ProcessError): Promise<Outcome> => {
    binding.error = failure;
    if (!hooks.error) return outcome('rejected', failure, failure);
    try {
      const handled = await settle(runSection('error'));
      return outcome(handled instanceof Error ? 'rejected' : 'resolved', handled, failure);
    } catch (error) {
      return outcome('rejected', error, failure);
    }
  };

  if (start.phase === 'error') {
    const failure = start.failure ? deserialize(start.failure) : null;
    return handleFailure(failure instanceof ProcessError ? failure : new ProcessError(String(failure)));
  }

  if (config.joinIn !== null && control.joinDeadline === 0) control.joinDeadline = sharedNow() + config.joinIn;
  const shouldContinue = () =>
    !binding.stopRequested &&
    (config.runs === null || control.currentRun < config.runs) &&
    (config.joinIn === null || sharedNow() < control.joinDeadline);

  for (;;) {
    try {
      while (shouldContinue()) {
        const began = performance.now();
        let pending = runSection('prerun');
        if (isThenable(pending)) await pending;
        pending = runSection('run');
        if (isThenable(pending)) await pending;
        pending = runSection('postrun');
        if (isThenable(pending)) await pending;
        fullRun.addTime(performance.now() - began);
        control.currentRun += 1;
        // Without shared memory a stop arrives as a message: let it in between runs.
        if (!shared) await new Promise((resolve) => setTimeout(resolve, 0));
      }
      await settle(runSection('onfinish'));
      const value = await settle(runSection('result'));
      return outcome('resolved', value, null);
    } catch (error) {
      const failure = error instanceof ProcessError ? error : new ProcessError(String(error), { originalError: error, currentRun: control.currentRun });
      control.livesLeft -= 1;
      if (control.livesLeft > 0) continue;
      return handleFailure(failure);
    }
  }
}
