/**
 * The parent side of a running process: spawns its worker through the
 * platform adapter, drives it over Comlink, enforces section timeouts from
 * outside (terminate), replaces a worker that dies while lives remain, and
 * turns every way a worker can end into a settled result.
 */
import * as Comlink from 'comlink';
import type { Adapter, SpawnedWorker, WorkerExit } from './adapter.ts';
import { resolveProcessConfig, type ProcessConfig } from './config.ts';
import { ControlBlock, SECTIONS, sharedNow } from './control.ts';
import { ProcessError, ProcessTimeoutError, hookOf } from './errors.ts';
import { Mailbox, decodeMail, encodeMail, isEndOfMail } from './mailbox.ts';
import { bindProcess, installStarter, type ProcessBinding, type ProcessHooks, type Skprocess } from './process.ts';
import type { Outcome, ParentApi, Phase, StartMessage, WorkerApi } from './protocol.ts';
import { registrationOf, type Registration } from './registry.ts';
import { deserialize, serialize, type SerializedValue } from './serializer/index.ts';
import { ProcessTimers } from './timing.ts';

let adapterPromise: Promise<Adapter> | null = null;
function platformAdapter(): Promise<Adapter> {
  adapterPromise ??= import('#platform').then((platform: { adapter: Adapter }) => platform.adapter);
  return adapterPromise;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** One worker's life within a process. */
interface Attempt {
  readonly worker: SpawnedWorker;
  readonly remote: Comlink.Remote<WorkerApi>;
  /** The parent's end of this attempt's tell/listen channel. */
  readonly mail: MessagePort;
  /** Settles when the worker's END_OF_MAIL arrives: every tell before its outcome has been read. */
  readonly mailEnded: Promise<void>;
  /** Set when the parent ends the worker on purpose (a timeout); otherwise its end is a crash. */
  failure: ProcessError | null;
}

type Settled = { status: 'resolved' | 'rejected'; value: unknown };

class Supervisor implements ProcessBinding {
  readonly side = 'parent';
  readonly #registration: Registration;
  readonly #config: ProcessConfig;
  readonly #state: SerializedValue;
  readonly #control = new ControlBlock();
  readonly #inbox = new Mailbox<unknown>();
  readonly #hasErrorHook: boolean;
  #attempt: Attempt | null = null;
  #unsent: unknown[] = [];
  #settled: Settled | null = null;
  #error: ProcessError | null = null;
  #timers: ProcessTimers | null = null;
  #finalRun: number | null = null;
  readonly #done: Promise<void>;
  #markDone!: () => void;

  constructor(process: Skprocess<unknown>, registration: Registration) {
    this.#registration = registration;
    this.#config = resolveProcessConfig(process.processConfig);
    this.#state = serialize(process);
    this.#hasErrorHook = typeof (process as ProcessHooks).__error__ === 'function';
    this.#control.livesLeft = this.#config.lives;
    this.#done = new Promise((resolve) => { this.#markDone = resolve; });
    void this.#launch('run', null);
  }

  get currentRun(): number { return this.#finalRun ?? this.#control.currentRun; }
  get isAlive(): boolean { return this.#settled === null; }
  get error(): ProcessError | null { return this.#error; }
  get timers(): ProcessTimers | null { return this.#timers; }

  stop(): void {
    if (this.#settled) return;
    this.#control.requestStop();
    if (!this.#control.buffer) void this.#attempt?.remote.requestStop().catch(() => {});
  }

  kill(): void {
    if (this.#settled) return;
    const attempt = this.#attempt;
    const killed = new ProcessError(`the process was killed on run ${this.currentRun}; kill() gives no result`, { currentRun: this.currentRun });
    this.#finish({ status: 'rejected', value: killed }, killed);
    attempt?.worker.terminate();
  }

  tell(data: unknown): void {
    if (this.#settled) throw new ProcessError('tell(): the process has finished; nothing is listening');
    const message = encodeMail(data);
    if (this.#attempt) this.#attempt.mail.postMessage(message);
    else this.#unsent.push(message);
  }

  listen(timeout?: number): Promise<unknown> {
    return this.#inbox.next(timeout);
  }

  async wait(timeout?: number): Promise<boolean> {
    if (timeout === undefined || timeout === null) {
      await this.#done;
      return true;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const elapsed = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), timeout); });
    try {
      return await Promise.race([this.#done.then(() => true), elapsed]);
    } finally {
      clearTimeout(timer);
    }
  }

  async result(): Promise<unknown> {
    await this.#done;
    const settled = this.#settled!;
    if (settled.status === 'rejected') throw settled.value;
    return settled.value;
  }

  async #launch(phase: Phase, failure: ProcessError | null): Promise<void> {
    let worker: SpawnedWorker;
    try {
      worker = await (await platformAdapter()).spawn(this.#registration);
    } catch (error) {
      const failed = new ProcessError(`could not start the worker for ${this.#registration.id}: ${messageOf(error)}`, { originalError: error });
      this.#finish({ status: 'rejected', value: failed }, failed);
      return;
    }
    if (this.#settled) {
      worker.terminate();
      return;
    }
    const remote = Comlink.wrap<WorkerApi>(worker.endpoint);
    const channel = new MessageChannel();
    let endMail!: () => void;
    const mailEnded = new Promise<void>((resolve) => { endMail = resolve; });
    channel.port1.onmessage = (event: MessageEvent) => {
      if (isEndOfMail(event.data)) endMail();
      else this.#inbox.push(decodeMail(event.data));
    };
    const attempt: Attempt = { worker, remote, mail: channel.port1, mailEnded, failure: null };
    this.#attempt = attempt;
    for (const message of this.#unsent.splice(0)) channel.port1.postMessage(message);
    const parent: ParentApi = {
      progress: (run, lives, section, startedAt) => this.#control.applyProgress(run, lives, section, startedAt),
    };
    const start: StartMessage = {
      classId: this.#registration.id,
      state: this.#state,
      control: this.#control.buffer,
      currentRun: this.#control.currentRun,
      livesLeft: this.#control.livesLeft,
      phase,
      failure: failure ? serialize(failure) : null,
      mail: channel.port2,
    };
    const running = remote.run(Comlink.transfer(start, [channel.port2]), Comlink.proxy(parent) as unknown as ParentApi);
    if (this.#control.stopRequested && !this.#control.buffer) void remote.requestStop().catch(() => {});
    const watchdog = this.#watch(attempt);

    type Ended = { outcome: Outcome } | { broken: unknown } | { exit: WorkerExit };
    const ended: Ended = await Promise.race([
      running.then(async (outcome) => {
        await mailEnded;
        return { outcome };
      }, (broken: unknown) => ({ broken })),
      worker.exited.then((exit) => ({ exit })),
    ]);
    if (watchdog !== undefined) clearInterval(watchdog);
    this.#attempt = null;
    remote[Comlink.releaseProxy]();
    worker.terminate();
    channel.port1.onmessage = null;
    channel.port1.close();
    if (this.#settled) return; // killed meanwhile

    if ('outcome' in ended) return this.#finishWith(ended.outcome);
    const section = this.#control.section;
    const where = section ? `${hookOf(section)} on run ${this.currentRun}` : `run ${this.currentRun}`;
    const lost = attempt.failure ?? ('exit' in ended
      ? new ProcessError(`the worker ${ended.exit.description} during ${where}`, { currentRun: this.currentRun, originalError: ended.exit.error })
      : new ProcessError(`the worker broke the protocol during ${where}: ${messageOf(ended.broken)}`, { currentRun: this.currentRun, originalError: ended.broken }));
    this.#control.leaveSection();
    if (phase === 'error' || !('exit' in ended)) {
      this.#finish({ status: 'rejected', value: lost }, failure ?? lost);
      return;
    }
    const livesLeft = this.#control.livesLeft - 1;
    this.#control.livesLeft = livesLeft;
    if (livesLeft > 0) return this.#launch('run', null);
    if (this.#hasErrorHook) return this.#launch('error', lost);
    this.#finish({ status: 'rejected', value: lost }, lost);
  }

  /** Terminates the worker when its running section passes its timeout. */
  #watch(attempt: Attempt): ReturnType<typeof setInterval> | undefined {
    const timeouts = this.#config.timeouts;
    const limits = SECTIONS.map((section) => timeouts[section]).filter((limit): limit is number => limit !== null);
    if (limits.length === 0) return undefined;
    const period = Math.min(50, Math.max(2, Math.min(...limits) / 10));
    const timer = setInterval(() => {
      const section = this.#control.section;
      const limit = section ? timeouts[section] : null;
      if (section === null || limit === null) return;
      if (sharedNow() - this.#control.sectionStartedAt > limit) {
        attempt.failure = new ProcessTimeoutError(section, limit, this.#control.currentRun);
        clearInterval(timer);
        attempt.worker.terminate();
      }
    }, period);
    return timer;
  }

  #finishWith(outcome: Outcome): void {
    try {
      this.#finalRun = outcome.currentRun;
      this.#timers = ProcessTimers.fromState(outcome.timers);
      const error = outcome.error ? (deserialize(outcome.error) as ProcessError) : null;
      this.#finish({ status: outcome.status, value: deserialize(outcome.payload) }, error);
    } catch (error) {
      const failed = new ProcessError(`the process's result could not be read: ${messageOf(error)}`, { originalError: error });
      this.#finish({ status: 'rejected', value: failed }, failed);
    }
  }

  #finish(settled: Settled, error: ProcessError | null): void {
    if (this.#settled) return;
    this.#finalRun ??= this.#control.currentRun;
    this.#settled = settled;
    this.#error = error;
    this.#inbox.close();
    this.#markDone();
  }
}

installStarter((process) => {
  const registration = registrationOf(process.constructor);
  if (!registration) {
    throw new ProcessError(
      `${process.constructor.name} is not registered: decorate it with @sk(), export it at module top level, and build with the suitkaise transform ` +
        `(add suitkaise() from @suitkaise/transform/vite to your Vite plugins, or run node --import @suitkaise/node/register)`,
    );
  }
  const supervisor = new Supervisor(process, registration);
  bindProcess(process, supervisor);
  return supervisor;
});
