/**
 * The lifecycle loop that runs inside a worker: prerun → run → postrun per
 * iteration until `stop()`, `runs` or `joinIn`; then onfinish → result. A
 * thrown error costs a life and retries the same run with the state kept;
 * with no lives left, `__error__` decides the outcome.
 */
import { resolveProcessConfig } from './config.ts';
import { ControlBlock, SECTIONS, sharedNow } from './control.ts';
import { ProcessError, ResultError, SerializationError, hookOf, sectionErrors, sendableCopy, type Section } from '../errors.ts';
import { Mailbox, Outbox, afterThisTask, describeMessage, encodeMail, isBare, receiveValues } from './mailbox.ts';
import { Skprocess, bindProcess, type ProcessBinding } from './process.ts';
import type { BareValue, Outcome, ParentMail, StartMessage, ValueMessage, WorkerMail } from '../protocol.ts';
import { deserialize, serialize, type SerializedValue } from '../serializer/index.ts';
import { ProcessTimers, Sktimer } from '../timing/timing.ts';
import { pendingAutoreconnect } from '../reconnect/index.ts';
import { afterFailure } from './lives.ts';
import { setLockToken } from '../share/store.ts';

type Hook = () => unknown;

/** Whether `value` is a promise or another thenable (what a hook or a task may return). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** Control notes the worker sends its parent on the mail port. */
type WorkerNote = Exclude<WorkerMail, ValueMessage | BareValue>;

/** The worker side of a process: what `this.stop()`, `this.tell()` … do inside hooks. */
class WorkerBinding implements ProcessBinding {
  readonly side = 'worker';
  readonly isAlive = true;
  readonly timers = null;
  error: ProcessError | null = null;
  #stopped = false;
  readonly #inbox: Mailbox<unknown>;
  readonly #outbox: Outbox<WorkerNote>;

  constructor(
    private readonly control: ControlBlock,
    private readonly mail: MessagePort,
    shared: boolean,
  ) {
    this.#outbox = new Outbox<WorkerNote>(mail, () => this.#inbox.size > 0);
    this.#inbox = new Mailbox<unknown>({
      // What was read is counted, so that a replacement worker gets only the tells this one did not read.
      onTaken: shared ? () => control.noteTellsRead() : () => this.#outbox.read(),
      beforeWait: () => this.#outbox.flush(),
    });
    mail.onmessage = (event: MessageEvent) => this.#receive(event.data);
  }

  /** One message from the parent; one it does not know goes back as `unknown-message` (the parent fails the process). */
  #receive(data: unknown): void {
    if (isBare(data)) return this.#inbox.push(data);
    const message = data as Exclude<ParentMail, BareValue>;
    switch (message.kind) {
      case 'values':
      case 'serialized':
        return receiveValues(this.#inbox, message);
      case 'stop':
        return this.#stop();
      default:
        message satisfies never; // every kind of ParentMail has its case
        this.note({ kind: 'unknown-message', message: describeMessage(data) });
    }
  }

  get currentRun(): number { return this.control.currentRun; }
  get stopRequested(): boolean { return this.#stopped || this.control.stopRequested; }
  stop(): void {
    this.control.requestStop();
    this.#stop();
  }
  /** A stop also ends waits on messages that may never come. */
  #stop(): void {
    this.#stopped = true;
    this.#inbox.wake();
  }
  kill(): void { throw new ProcessError('kill() is for the parent; inside a hook, call this.stop() or throw'); }
  tell(data: unknown): void { this.#outbox.value(encodeMail(data)); }
  listen(timeout?: number, signal?: AbortSignal): Promise<unknown> { return this.#inbox.next(timeout, signal); }
  wait(): Promise<boolean> { return Promise.reject(new ProcessError('wait() is for the parent, not inside a hook')); }
  result(): Promise<unknown> { return Promise.reject(new ProcessError('result() is for the parent, not inside a hook')); }
  /** A control note to the parent, in order with the tells. */
  note(note: WorkerNote): void { this.#outbox.note(note); }
  /** Send the tells gathered so far (after a synchronous or failed section: what comes next may block the thread). */
  flush(): void { this.#outbox.flush(); }
  /** No more tells: the parent settles the process once it has read this far. */
  endMail(): void {
    this.note({ kind: 'end' });
    this.#outbox.close();
    this.mail.onmessage = null;
  }
}

/** Serialize an error; where something in it cannot be sent, keep its class and degrade what it wraps. */
function serializeError(error: ProcessError): SerializedValue {
  try {
    return serialize(error);
  } catch {
    const original = error.originalError;
    error.originalError = sendableCopy(original);
    Object.defineProperty(error, 'cause', { value: error.originalError, writable: true, configurable: true, enumerable: false });
    try {
      return serialize(error);
    } catch {
      return serialize(new ProcessError(error.message, { currentRun: error.currentRun }));
    }
  }
}

/** One turn of the event loop, so that queued messages (a stop, without shared memory) are handled. */
function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => { afterThisTask(resolve); });
}

/** Runs one process to its end: always resolves with an outcome, failures included. */
export async function runProcess(start: StartMessage): Promise<Outcome> {
  setLockToken(start.lockToken);
  const control = new ControlBlock(start.control);
  const shared = start.control !== null;
  control.currentRun = start.currentRun;
  control.livesLeft = start.livesLeft;
  if (start.joinDeadline !== null && control.joinDeadline === 0) control.joinDeadline = start.joinDeadline;
  const binding = new WorkerBinding(control, start.mail, shared);
  // Without shared memory, the parent sees progress only through these notes.
  const report = shared ? () => {} : () => binding.note({ kind: 'progress', ...control.progress() });

  let instance: Skprocess<unknown>;
  try {
    const value = deserialize(start.state);
    if (!(value instanceof Skprocess)) throw new ProcessError(`${start.classId} did not arrive as an Skprocess`);
    instance = value;
  } catch (error) {
    const failure = error instanceof ProcessError ? error : new SerializationError(`the process state could not be read in the worker`, 'root', error);
    binding.endMail();
    return { status: 'rejected', payload: null, error: serializeError(failure), timers: new ProcessTimers().toState(), currentRun: control.currentRun };
  }
  bindProcess(instance, binding);
  const config = resolveProcessConfig(instance.processConfig);

  const hooks = {} as Record<Section, Hook | null>;
  const timers = {} as Record<Section, Sktimer | null>;
  for (const section of SECTIONS) {
    const hook = (instance as unknown as Record<string, unknown>)[hookOf(section)];
    hooks[section] = typeof hook === 'function' ? (hook as Hook) : null;
    timers[section] = hooks[section] ? new Sktimer() : null;
  }
  const fullRun = new Sktimer();

  // Awaits only what a hook returns as a promise: a missing or synchronous hook costs no microtask hop.
  const runSection = (section: Section): unknown => {
    const hook = hooks[section];
    if (!hook) return undefined;
    control.enterSection(section);
    report();
    const began = performance.now();
    const finish = (value: unknown) => {
      timers[section]!.addTime(performance.now() - began);
      control.leaveSection();
      report();
      return value;
    };
    const fail = (error: unknown): never => {
      control.leaveSection();
      binding.flush();
      report();
      throw new sectionErrors[section](error, control.currentRun);
    };
    let value: unknown;
    try {
      value = hook.call(instance);
    } catch (error) {
      return fail(error);
    }
    if (isThenable(value)) return Promise.resolve(value).then(finish, fail);
    // A synchronous hook gave the gathered tells no microtask turn to go out in, and the engine may go
    // straight on into the next (perhaps blocking) hook: send them now.
    binding.flush();
    return finish(value);
  };
  const settle = async (value: unknown): Promise<unknown> => (isThenable(value) ? await value : value);

  const outcome = (status: Outcome['status'], value: unknown, error: ProcessError | null): Outcome => {
    let payload: SerializedValue | null = null;
    if (status === 'resolved' || value !== error) {
      try {
        payload = serialize(value);
      } catch (cause) {
        // What the process hands back cannot be sent: that is how it ended.
        const unsendable = new ResultError(cause, control.currentRun);
        return outcome('rejected', unsendable, error ?? unsendable);
      }
    }
    const sentError = error ? serializeError(error) : null;
    binding.endMail();
    return {
      status,
      payload,
      error: sentError,
      timers: new ProcessTimers({ ...timers, fullRun }).toState(),
      currentRun: control.currentRun,
    };
  };

  const handleFailure = async (failure: ProcessError): Promise<Outcome> => {
    binding.error = failure;
    if (!hooks.error) return outcome('rejected', failure, failure);
    // Should __error__ hang or crash, the parent still knows what exhausted the lives.
    binding.note({ kind: 'failure', error: serializeError(failure) });
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

  // @autoreconnect: live resources arrive as Reconnectors; reconnect them before the first section
  // (a failure costs a life and is retried, like a throwing hook's).
  let reconnect = pendingAutoreconnect(instance);
  for (;;) {
    try {
      if (reconnect) {
        await reconnect();
        reconnect = undefined;
      }
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
        if (!shared) {
          report();
          // Without shared memory a stop arrives as a message: let it in between runs.
          await yieldToEvents();
        }
      }
      await settle(runSection('onfinish'));
      const value = await settle(runSection('result'));
      return outcome('resolved', value, null);
    } catch (error) {
      const failure = error instanceof ProcessError ? error : new ProcessError(String(error), { originalError: error, currentRun: control.currentRun });
      const next = afterFailure({ failure: 'threw', section: null, livesLeft: control.livesLeft, hasErrorHook: hooks.error !== null, handlingError: false });
      control.livesLeft = next.livesLeft;
      report();
      if (next.step === 'retry') continue;
      return handleFailure(failure);
    }
  }
}
