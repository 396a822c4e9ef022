/**
 * The lifecycle loop that runs inside a worker: prerun → run → postrun per
 * iteration until `stop()`, `runs` or `joinIn`; then onfinish → result. A
 * thrown error costs a life and retries the same run with the state kept;
 * with no lives left, `__error__` decides the outcome.
 */
import { resolveProcessConfig, type ProcessConfig, type ProcessTimeouts } from './config.ts';
import { ControlBlock, SECTIONS, sharedNow } from './control.ts';
import { ProcessError, ResultError, SerializationError, hookOf, sectionErrors, sendableCopy, type Section } from '../errors.ts';
import { Mailbox, describeMessage, encodeMail, isBare, receiveValues } from './mailbox.ts';
import { Outbox, afterThisTask } from './outbox.ts';
import { Skprocess, bindProcess, type ProcessBinding } from './process.ts';
import type { BareValue, Outcome, ParentMail, StartMessage, ValueMessage, WorkerMail } from '../protocol.ts';
import { deserialize, serialize, type SerializedValue } from '../serializer/index.ts';
import { ProcessTimers, Sktimer } from '../timing/timing.ts';
import { pendingAutoreconnect } from '../reconnect/index.ts';
import { afterFailure, type NextStep } from './lives.ts';
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
  /** The process's section timeouts, once its config is read: tells are not gathered in a timed section. */
  timeouts: ProcessTimeouts | null = null;
  readonly #inbox: Mailbox<unknown>;
  readonly #outbox: Outbox<WorkerNote>;

  constructor(
    private readonly control: ControlBlock,
    private readonly mail: MessagePort,
    shared: boolean,
  ) {
    this.#outbox = new Outbox<WorkerNote>(mail, () => this.#inbox.size > 0, () => {
      const section = control.section;
      return section === null || this.timeouts?.[section] == null;
    });
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

/** A thrown value as a process error (what a hook throws arrives already wrapped in its section's error). */
function asProcessError(error: unknown, currentRun: number): ProcessError {
  return error instanceof ProcessError ? error : new ProcessError(String(error), { originalError: error, currentRun });
}

/** What a section's hook returned, awaited when it is a promise. */
async function awaitIfPromise(value: unknown): Promise<unknown> {
  return isThenable(value) ? await value : value;
}

/** The control block as the parent left it: the run index, the lives left, and a join deadline set on an earlier attempt. */
function openControl(start: StartMessage): ControlBlock {
  const control = new ControlBlock(start.control);
  control.currentRun = start.currentRun;
  control.livesLeft = start.livesLeft;
  if (start.joinDeadline !== null && control.joinDeadline === 0) control.joinDeadline = start.joinDeadline;
  return control;
}

/** The process instance the parent sent, or the error that says why it could not be read. */
function readInstance(start: StartMessage): Skprocess<unknown> | ProcessError {
  try {
    const value = deserialize(start.state);
    return value instanceof Skprocess ? value : new ProcessError(`${start.classId} did not arrive as an Skprocess`);
  } catch (error) {
    return error instanceof ProcessError ? error : new SerializationError(`the process state could not be read in the worker`, 'root', error);
  }
}

/** The failure an error-phase worker handles: the one that exhausted the lives in an earlier worker. */
function readFailure(start: StartMessage): ProcessError {
  const failure = start.failure ? deserialize(start.failure) : null;
  return failure instanceof ProcessError ? failure : new ProcessError(String(failure));
}

/** Runs one process to its end: always resolves with an outcome, failures included. */
export async function runProcess(start: StartMessage): Promise<Outcome> {
  setLockToken(start.lockToken);
  const control = openControl(start);
  const binding = new WorkerBinding(control, start.mail, start.control !== null);
  const instance = readInstance(start);
  if (instance instanceof ProcessError) {
    binding.endMail();
    return { status: 'rejected', payload: null, error: serializeError(instance), timers: new ProcessTimers().toState(), currentRun: control.currentRun };
  }
  bindProcess(instance, binding);
  const config = resolveProcessConfig(instance.processConfig);
  binding.timeouts = config.timeouts;
  const run = new ProcessRun(instance, control, binding, start.control !== null);
  if (start.phase === 'error') return run.handleFailure(readFailure(start));
  return run.untilDone(config);
}

/** One process inside a worker: its hooks run section by section, timed, with the lives policy applied to what they throw. */
class ProcessRun {
  readonly #hooks = {} as Record<Section, Hook | null>;
  readonly #timers = {} as Record<Section, Sktimer | null>;
  readonly #fullRun = new Sktimer();
  /** Without shared memory, the parent sees progress only through these notes. */
  readonly #report: () => void;

  constructor(
    private readonly instance: Skprocess<unknown>,
    private readonly control: ControlBlock,
    private readonly binding: WorkerBinding,
    private readonly shared: boolean,
  ) {
    for (const section of SECTIONS) {
      const hook = (instance as unknown as Record<string, unknown>)[hookOf(section)];
      this.#hooks[section] = typeof hook === 'function' ? (hook as Hook) : null;
      this.#timers[section] = this.#hooks[section] ? new Sktimer() : null;
    }
    this.#report = shared ? () => {} : () => binding.note({ kind: 'progress', ...control.progress() });
  }

  /**
   * The runs until `stop()`, `runs` or `joinIn`, then onfinish and result. A throw costs a life and,
   * while lives remain, the same run is tried again with the state kept.
   */
  async untilDone(config: ProcessConfig): Promise<Outcome> {
    const { control } = this;
    if (config.joinIn !== null && control.joinDeadline === 0) control.joinDeadline = sharedNow() + config.joinIn;
    // @autoreconnect: live resources arrive as Reconnectors; reconnect them before the first section
    // (a failure costs a life and is retried, like a throwing hook's).
    let reconnect = pendingAutoreconnect(this.instance);
    for (;;) {
      try {
        if (reconnect) {
          await reconnect();
          reconnect = undefined;
        }
        await this.#runs(config);
        await awaitIfPromise(this.#section('onfinish'));
        const value = await awaitIfPromise(this.#section('result'));
        return this.#outcome('resolved', value, null);
      } catch (error) {
        const failure = asProcessError(error, control.currentRun);
        if (this.#loseLife().step === 'retry') continue;
        // Handle or reject: with no `__error__` to run, handleFailure rejects with the failure.
        return this.handleFailure(failure);
      }
    }
  }

  /** prerun → run → postrun, run after run, until the process should stop. */
  async #runs(config: ProcessConfig): Promise<void> {
    const { control } = this;
    while (this.#shouldContinue(config)) {
      const began = performance.now();
      let pending = this.#section('prerun');
      if (isThenable(pending)) await pending;
      pending = this.#section('run');
      if (isThenable(pending)) await pending;
      pending = this.#section('postrun');
      if (isThenable(pending)) await pending;
      this.#fullRun.addTime(performance.now() - began);
      control.currentRun += 1;
      if (!this.shared) {
        this.#report();
        // Without shared memory a stop arrives as a message: let it in between runs.
        await yieldToEvents();
      }
    }
  }

  /** Another run is due: no stop asked for, `runs` not reached, the `joinIn` deadline not passed. */
  #shouldContinue({ runs, joinIn }: ProcessConfig): boolean {
    return !this.binding.stopRequested && (runs === null || this.control.currentRun < runs) && (joinIn === null || sharedNow() < this.control.joinDeadline);
  }

  /** A hook (or the reconnect) threw: one life less, and the lives policy says whether to try again. */
  #loseLife(): NextStep {
    const next = afterFailure({
      failure: 'threw',
      section: null,
      livesLeft: this.control.livesLeft,
      hasErrorHook: this.#hooks.error !== null,
      handlingError: false,
    });
    this.control.livesLeft = next.livesLeft;
    this.#report();
    return next;
  }

  /** Lives are exhausted by `failure`: `__error__`, where there is one, decides the outcome. */
  async handleFailure(failure: ProcessError): Promise<Outcome> {
    this.binding.error = failure;
    if (!this.#hooks.error) return this.#outcome('rejected', failure, failure);
    // Should __error__ hang or crash, the parent still knows what exhausted the lives.
    this.binding.note({ kind: 'failure', error: serializeError(failure) });
    try {
      const handled = await awaitIfPromise(this.#section('error'));
      return this.#outcome(handled instanceof Error ? 'rejected' : 'resolved', handled, failure);
    } catch (error) {
      return this.#outcome('rejected', error, failure);
    }
  }

  /**
   * Run one section's hook, timed and marked in the control block. Awaits only what the hook returns
   * as a promise: a missing or synchronous hook costs no microtask hop. A throw comes out as the
   * section's error.
   */
  #section(section: Section): unknown {
    const hook = this.#hooks[section];
    if (!hook) return undefined;
    const { control, binding } = this;
    control.enterSection(section);
    this.#report();
    const began = performance.now();
    const finish = (value: unknown) => {
      this.#timers[section]!.addTime(performance.now() - began);
      control.leaveSection();
      this.#report();
      return value;
    };
    const fail = (error: unknown): never => {
      control.leaveSection();
      binding.flush();
      this.#report();
      throw new sectionErrors[section](error, control.currentRun);
    };
    let value: unknown;
    try {
      value = hook.call(this.instance);
    } catch (error) {
      return fail(error);
    }
    if (isThenable(value)) return Promise.resolve(value).then(finish, fail);
    // A synchronous hook gave the gathered tells no microtask turn to go out in, and the engine may go
    // straight on into the next (perhaps blocking) hook: send them now.
    binding.flush();
    return finish(value);
  }

  /** The outcome the parent gets; the mail ends with it. What cannot be sent rejects the process, saying so. */
  #outcome(status: Outcome['status'], value: unknown, error: ProcessError | null): Outcome {
    let payload: SerializedValue | null = null;
    if (status === 'resolved' || value !== error) {
      try {
        payload = serialize(value);
      } catch (cause) {
        // What the process hands back cannot be sent: that is how it ended.
        const unsendable = new ResultError(cause, this.control.currentRun);
        return this.#outcome('rejected', unsendable, error ?? unsendable);
      }
    }
    const sentError = error ? serializeError(error) : null;
    this.binding.endMail();
    return {
      status,
      payload,
      error: sentError,
      timers: new ProcessTimers({ ...this.#timers, fullRun: this.#fullRun }).toState(),
      currentRun: this.control.currentRun,
    };
  }
}
