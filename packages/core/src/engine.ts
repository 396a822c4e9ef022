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
import type { Mailbox } from './mailbox.ts';
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
  readonly #unacknowledged = new Set<Promise<void>>();

  constructor(
    private readonly control: ControlBlock,
    private readonly parent: Comlink.Remote<ParentApi>,
    private readonly inbox: Mailbox<unknown>,
  ) {}

  get currentRun(): number { return this.control.currentRun; }
  get stopRequested(): boolean { return this.#stopped || this.control.stopRequested; }
  stop(): void { this.#stopped = true; this.control.requestStop(); }
  /** Marks a stop asked for by message (no shared memory). */
  markStopped(): void { this.#stopped = true; }
  kill(): void { throw new ProcessError('kill() is for the parent; inside a hook, call this.stop() or throw'); }
  tell(data: unknown): void {
    const delivery = this.parent.deliver(serialize(data)).catch(() => {});
    this.#unacknowledged.add(delivery);
    void delivery.then(() => this.#unacknowledged.delete(delivery));
  }
  /** Resolves once the parent has every message told so far: they travel on another port than the outcome. */
  async flush(): Promise<void> {
    while (this.#unacknowledged.size > 0) await Promise.all(this.#unacknowledged);
  }
  listen(timeout?: number): Promise<unknown> { return this.inbox.next(timeout); }
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
  inbox: Mailbox<unknown>,
  onStopMessage: (stop: () => void) => void,
): Promise<Outcome> {
  const control = new ControlBlock(start.control);
  const shared = start.control !== null;
  control.currentRun = start.currentRun;
  control.livesLeft = start.livesLeft;
  const instance = deserialize(start.state);
  if (!(instance instanceof Skprocess)) throw new ProcessError(`${start.classId} is not an Skprocess`);
  const binding = new WorkerBinding(control, parent, inbox);
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

  const runSection = async (section: Section): Promise<unknown> => {
    const hook = hooks[section];
    if (!hook) return undefined;
    const startedAt = sharedNow();
    control.enterSection(section, startedAt);
    if (reportsProgress) void parent.progress(control.currentRun, control.livesLeft, SECTIONS.indexOf(section), startedAt).catch(() => {});
    const began = performance.now();
    try {
      let value = hook.call(instance);
      if (isThenable(value)) value = await value;
      timers[section]!.addTime(performance.now() - began);
      return value;
    } catch (error) {
      throw new sectionErrors[section](error, control.currentRun);
    } finally {
      control.leaveSection();
    }
  };

  const outcome = async (status: Outcome['status'], value: unknown, error: ProcessError | null): Promise<Outcome> => {
    await binding.flush();
    const result = sendable(value, control.currentRun);
    return {
      status: result.ok ? status : 'rejected',
      payload: result.payload,
      error: error ? serializeError(error) : null,
      timers: serialize(new ProcessTimers({ ...timers, fullRun })),
      currentRun: control.currentRun,
    };
  };

  const handleFailure = async (failure: ProcessError): Promise<Outcome> => {
    binding.error = failure;
    if (!hooks.error) return outcome('rejected', failure, failure);
    try {
      const handled = await runSection('error');
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
        await runSection('prerun');
        await runSection('run');
        await runSection('postrun');
        fullRun.addTime(performance.now() - began);
        control.currentRun += 1;
        // Without shared memory a stop arrives as a message: let it in between runs.
        if (!shared) await new Promise((resolve) => setTimeout(resolve, 0));
      }
      await runSection('onfinish');
      const value = await runSection('result');
      return outcome('resolved', value, null);
    } catch (error) {
      const failure = error instanceof ProcessError ? error : new ProcessError(String(error), { originalError: error, currentRun: control.currentRun });
      control.livesLeft -= 1;
      if (control.livesLeft > 0) continue;
      return handleFailure(failure);
    }
  }
}
