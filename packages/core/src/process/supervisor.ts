/**
 * The parent side of a running process: gets a worker per attempt (its own, or a
 * pool's) as a {@link WorkerLife}, drives it over Comlink, enforces section timeouts from
 * outside (terminate), replaces a worker that dies while lives remain, and
 * turns every way a worker can end into a settled result.
 */
import * as Comlink from 'comlink';
import { resolveProcessConfig, type ProcessConfig } from './config.ts';
import { ControlBlock, SECTIONS, sharedNow } from './control.ts';
import { ProcessError, ProcessTimeoutError, hookOf } from '../errors.ts';
import { MAX_DELAY, Mailbox, Outbox, Serialized, describeMessage, encodeMail, flushAllMail, isBare, receiveValues } from './mailbox.ts';
import { bindProcess, installStarter, type ProcessBinding, type ProcessHooks, type Skprocess } from './process.ts';
import type { BareValue, Outcome, ParentMail, Phase, StartMessage, ValueMessage, WorkerMail } from '../protocol.ts';
import { registrationOf, type Registration } from '../runtime/registry.ts';
import { deserialize, serialize, type SerializedValue } from '../serializer/index.ts';
import { ProcessTimers } from '../timing/timing.ts';
import type { Pipe } from '../pipe/pipe.ts';
import { claimPoints, endpointsOf, pointsEnded, repairPoints } from '../pipe/points.ts';
import { afterFailure } from './lives.ts';
import { Queue } from '../queue.ts';
import { setLockWaitHook } from '../share/store.ts';
import { markTransferred, transferFor } from '../serializer/transfer.ts';
import { WorkerLife, atMost, messageOf } from '../runtime/worker-life.ts';

/**
 * Where a process's workers come from: its own (spawned for it, ended after it), or a pool's
 * (leased, and given back when the process is done with it).
 */
export interface WorkerSource {
  /** A worker that serves `registration`'s module; none (a rejection) once `signal` has aborted. */
  acquire(registration: Registration, signal?: AbortSignal): Promise<WorkerLife>;
  /** Done with `life`: `reusable` when it answered normally (a pool may lease it again), else it is being ended. */
  release(life: WorkerLife, reusable: boolean): void;
}

/** The section watchdogs of the processes running now. */
const watchdogs = new Set<() => void>();
setLockWaitHook(() => {
  // Tells gathered before the wait go out: the holder of the lock may be waiting for one of them.
  flushAllMail();
  for (const check of watchdogs) check();
});

/** A process's own worker per attempt. */
const ownWorkers: WorkerSource = {
  acquire: (registration, signal) => WorkerLife.spawn(registration, signal),
  release: (life) => void life.end(),
};

/** How long an outcome waits for the worker's last tells when the worker died right after sending it. */
const MAIL_GRACE = 2_000;

/** How long a terminated worker may take to be gone before the process settles anyway. */
const EXIT_WAIT = 2_000;

/** One worker's life within a process. */
interface Attempt {
  readonly life: WorkerLife;
  /** The parent's end of this attempt's tell/listen channel. */
  readonly mail: MessagePort;
  /** What the parent sends on `mail`. */
  readonly outbox: Outbox<Exclude<ParentMail, ValueMessage | BareValue>>;
  /** Settles when the worker's END_OF_MAIL arrives: every tell before its outcome has been read. */
  readonly mailEnded: Promise<void>;
  /** Set when the parent ends the worker on purpose (a timeout); otherwise its end is a crash. */
  failure: ProcessError | null;
  /** Set when the worker broke the mail protocol (a message its receiver does not know); the worker is then ended. */
  broken: ProcessError | null;
  /** The failure that exhausted the lives inside the worker, reported before it runs `__error__`. */
  exhaustedBy: ProcessError | null;
  /** Pipe points that moved into this worker: their anchors learn when it ends. */
  readonly points: Set<Pipe>;
}

type Settled = { status: 'resolved' | 'rejected'; value: unknown };

class Supervisor implements ProcessBinding {
  readonly side = 'parent';
  readonly #registration: Registration;
  readonly #config: ProcessConfig;
  readonly #state: SerializedValue;
  #attempts = 0;
  readonly #control = new ControlBlock();
  readonly #inbox: Mailbox<unknown> = new Mailbox({ beforeWait: () => this.#attempt?.outbox.flush() });
  readonly #hasErrorHook: boolean;
  #attempt: Attempt | null = null;
  /**
   * Tells not yet known to be read, oldest first: a worker gets those not posted yet, and a
   * replacement gets again those its predecessor did not read.
   */
  readonly #told = new Queue<unknown>();
  /** How many tells came before the first one in `#told`. */
  #toldBefore = 0;
  #settled: Settled | null = null;
  #error: ProcessError | null = null;
  #timers: ProcessTimers | null = null;
  #finalRun: number | null = null;
  readonly #done: Promise<void>;
  #markDone!: () => void;

  readonly #source: WorkerSource;
  /** Aborted by kill(): a worker not yet spawned is then never spawned. */
  readonly #killed = new AbortController();

  constructor(process: Skprocess<unknown>, registration: Registration, source: WorkerSource) {
    this.#registration = registration;
    this.#source = source;
    this.#config = resolveProcessConfig(process.processConfig);
    this.#state = serialize(process);
    // The points now belong to this process: a second start() with one of them throws at once.
    claimPoints(transferFor(this.#state));
    this.#hasErrorHook = typeof (process as ProcessHooks).__error__ === 'function';
    this.#control.livesLeft = this.#config.lives;
    this.#done = new Promise((resolve) => { this.#markDone = resolve; });
    this.#launch('run', null);
  }

  get currentRun(): number { return this.#finalRun ?? this.#control.currentRun; }
  get isAlive(): boolean { return this.#settled === null; }
  get error(): ProcessError | null { return this.#error; }
  get timers(): ProcessTimers | null { return this.#timers; }

  stop(): void {
    if (this.#settled) return;
    this.#control.requestStop();
    // Also a note on the mail port: it wakes a hook waiting in listen(), and is the stop itself without shared memory.
    this.#attempt?.outbox.note({ kind: 'stop' });
  }

  kill(): void {
    if (this.#settled) return;
    const attempt = this.#attempt;
    const killed = new ProcessError(`the process was killed on run ${this.currentRun}; kill() gives no result`, { currentRun: this.currentRun });
    this.#finish({ status: 'rejected', value: killed }, killed);
    this.#killed.abort(killed);
    attempt?.life.terminate();
  }

  tell(data: unknown): void {
    if (this.#settled) throw new ProcessError('tell(): the process has finished; nothing is listening');
    const told = encodeMail(data);
    // Told twice before the worker is up: the second tell throws now.
    if (!this.#attempt && told instanceof Serialized) claimPoints(transferFor(told.envelope));
    this.#forgetRead();
    this.#told.push(told);
    if (this.#attempt) this.#post(this.#attempt, told);
  }

  /** Drop the tells the process has read (the control block counts them). */
  #forgetRead(): void {
    this.#toldBefore += this.#told.drop(this.#control.tellsRead - this.#toldBefore);
  }

  listen(timeout?: number, signal?: AbortSignal): Promise<unknown> {
    return this.#inbox.next(timeout, signal);
  }

  async wait(timeout?: number): Promise<boolean> {
    if (timeout === undefined || timeout === null) {
      await this.#done;
      return true;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const elapsed = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), Math.min(timeout, MAX_DELAY)); });
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

  /** Start a worker for `phase`; anything that goes wrong settles the process instead of hanging it. */
  #launch(phase: Phase, failure: ProcessError | null): void {
    this.#attemptWorker(phase, failure).catch((error: unknown) => {
      const broken = new ProcessError(`the process could not go on: ${messageOf(error)}`, { originalError: error, currentRun: this.currentRun });
      this.#finish({ status: 'rejected', value: broken }, broken);
    });
  }

  async #attemptWorker(phase: Phase, failure: ProcessError | null): Promise<void> {
    // Before spawning: a point that cannot be re-paired fails the process without a worker to clean up.
    const { state, moving } = this.#stateForAttempt();
    let life: WorkerLife;
    try {
      life = await this.#source.acquire(this.#registration, this.#killed.signal);
    } catch (error) {
      const failed = new ProcessError(`could not start the worker for ${this.#registration.id}: ${messageOf(error)}`, { originalError: error });
      this.#finish({ status: 'rejected', value: failed }, failed);
      return;
    }
    if (this.#settled) {
      this.#source.release(life, true);
      return;
    }
    const channel = new MessageChannel();
    let endMail!: () => void;
    const mailEnded = new Promise<void>((resolve) => { endMail = resolve; });
    const attempt: Attempt = {
      life,
      mail: channel.port1,
      outbox: new Outbox(channel.port1, () => this.#inbox.size > 0),
      mailEnded,
      failure: null,
      broken: null,
      exhaustedBy: null,
      points: new Set(),
    };
    let running: Promise<Outcome>;
    try {
      channel.port1.onmessage = (event: MessageEvent) => this.#receive(attempt, event.data, endMail);
      this.#attempt = attempt;
      // Told before this worker was up, or told to a worker that died before reading them: in order.
      this.#forgetRead();
      for (const told of this.#told) this.#post(attempt, told);
      if (this.#control.stopRequested) attempt.outbox.note({ kind: 'stop' });
      const start: StartMessage = {
        classId: this.#registration.id,
        state,
        control: this.#control.buffer,
        currentRun: this.#control.currentRun,
        livesLeft: this.#control.livesLeft,
        phase,
        failure: failure ? serialize(failure) : null,
        mail: channel.port2,
        joinDeadline: this.#control.joinDeadline || null,
        lockToken: life.lockToken,
      };
      running = life.remote.run(Comlink.transfer(start, [channel.port2, ...moving]));
      markTransferred(moving);
      for (const point of endpointsOf(moving)) attempt.points.add(point);
    } catch (error) {
      this.#attempt = null;
      this.#endAttempt(attempt, false);
      throw error;
    }
    const stopWatching = this.#watch(attempt);
    const ended = await life.race(running);
    stopWatching?.();
    // With an outcome in hand, a worker that dies now is no failure; its last tells may still be on their way.
    if ('value' in ended) await atMost(mailEnded, MAIL_GRACE, undefined);
    this.#attempt = null;
    const reusable = 'value' in ended && attempt.failure === null && !life.ending;
    const gone = this.#endAttempt(attempt, reusable);
    if (!reusable) await atMost(gone, EXIT_WAIT, undefined);
    if (this.#settled) return; // killed meanwhile

    if ('value' in ended && attempt.broken === null) return this.#finishWith(ended.value);
    const section = this.#control.section;
    const where = section ? `${hookOf(section)} on run ${this.currentRun}` : `run ${this.currentRun}`;
    // (An attempt with an outcome gets here only when it broke the mail protocol: `attempt.broken` is set.)
    const broken = 'broken' in ended ? ended.broken : undefined;
    const lost = attempt.failure ?? attempt.broken ?? ('exit' in ended
      ? new ProcessError(`the worker ${ended.exit.description} during ${where}`, { currentRun: this.currentRun, originalError: ended.exit.error })
      : new ProcessError(`the worker broke the protocol during ${where}: ${messageOf(broken)}`, { currentRun: this.currentRun, originalError: broken }));
    this.#control.leaveSection();
    const next = afterFailure({
      failure: attempt.failure ? 'timed-out' : attempt.broken === null && 'exit' in ended ? 'died' : 'broke-protocol',
      section,
      livesLeft: this.#control.livesLeft,
      hasErrorHook: this.#hasErrorHook,
      // An error-phase worker, or lives already ran out inside the worker (it was running `__error__`).
      handlingError: phase === 'error' || attempt.exhaustedBy !== null,
    });
    this.#control.livesLeft = next.livesLeft;
    if (next.step === 'retry') return this.#launch('run', null);
    if (next.step === 'handle') return this.#launch('error', lost);
    this.#finish({ status: 'rejected', value: lost }, failure ?? attempt.exhaustedBy ?? lost);
  }

  /**
   * Ends an attempt: its mail port and pipe points, and the worker (given back to its source when
   * `reusable`, else ended; the promise settles once it is gone and its Share locks are freed).
   */
  #endAttempt(attempt: Attempt, reusable: boolean): Promise<void> {
    attempt.outbox.close();
    attempt.mail.onmessage = null;
    attempt.mail.close();
    pointsEnded(attempt.points);
    this.#source.release(attempt.life, reusable);
    return reusable ? Promise.resolve() : attempt.life.end();
  }

  /**
   * Tell the worker a message, noting the pipe points that move with it. One whose ports already
   * moved to a worker that died is not sent again: those ports ended with it.
   */
  #post(attempt: Attempt, told: unknown): void {
    if (told instanceof Serialized && told.moved) return;
    const moved = attempt.outbox.value(told);
    if (moved.length === 0) return;
    (told as Serialized).moved = true;
    for (const point of endpointsOf(moved)) attempt.points.add(point);
  }

  /**
   * One message from the worker on the mail port. One the parent does not know, or the worker's
   * report that it got one, breaks the protocol: the worker is ended and the process fails, naming it.
   */
  #receive(attempt: Attempt, data: unknown, endMail: () => void): void {
    if (isBare(data)) return this.#inbox.push(data);
    const message = data as Exclude<WorkerMail, BareValue>;
    switch (message.kind) {
      case 'values':
      case 'serialized':
        return receiveValues(this.#inbox, message);
      case 'end':
        return endMail();
      case 'failure':
        attempt.exhaustedBy = this.#readError(message.error);
        return;
      case 'progress':
        return this.#control.applyProgress(message);
      case 'read':
        return this.#control.noteTellsRead(message.count);
      case 'unknown-message':
        return this.#breakProtocol(attempt, `the worker got a message it does not know on the mail port: ${message.message}`);
      default:
        message satisfies never; // every kind of WorkerMail has its case
        return this.#breakProtocol(attempt, `the worker sent a message the mail port does not know: ${describeMessage(data)}`);
    }
  }

  #breakProtocol(attempt: Attempt, what: string): void {
    if (attempt.broken !== null || attempt.failure !== null) return;
    attempt.broken = new ProcessError(`${what} (the worker and the parent do not speak the same protocol)`, { currentRun: this.currentRun });
    attempt.life.terminate();
  }

  /**
   * The state a worker starts from: the snapshot taken at `start()`, and the ports that move with
   * it. Pipe points in it moved into the first worker; a replacement gets fresh ports, re-paired
   * with their anchors in this thread.
   */
  #stateForAttempt(): { state: SerializedValue; moving: Transferable[] } {
    this.#attempts += 1;
    const moving = transferFor(this.#state);
    if (this.#attempts === 1 || moving.length === 0) return { state: this.#state, moving };
    return { state: this.#state, moving: repairPoints(this.#state) };
  }

  #readError(data: unknown): ProcessError {
    try {
      const error = deserialize(data);
      return error instanceof ProcessError ? error : new ProcessError(messageOf(error), { originalError: error });
    } catch (error) {
      return new ProcessError(`the process's error could not be read: ${messageOf(error)}`, { originalError: error });
    }
  }

  /** Terminates the worker when its running section passes its timeout. */
  #watch(attempt: Attempt): (() => void) | undefined {
    const timeouts = this.#config.timeouts;
    const limits = SECTIONS.map((section) => timeouts[section]).filter((limit): limit is number => limit !== null);
    if (limits.length === 0) return undefined;
    const period = Math.min(50, Math.max(2, Math.min(...limits) / 10));
    const check = () => {
      const section = this.#control.section;
      const limit = section ? timeouts[section] : null;
      if (section === null || limit === null || attempt.failure) return;
      if (sharedNow() - this.#control.sectionStartedAt > limit) {
        attempt.failure = new ProcessTimeoutError(section, limit, this.#control.currentRun);
        stop();
        attempt.life.terminate();
      }
    };
    const timer = setInterval(check, period);
    // Also from inside a Share lock wait in this thread, where timers cannot fire.
    watchdogs.add(check);
    const stop = () => {
      clearInterval(timer);
      watchdogs.delete(check);
    };
    return stop;
  }

  #finishWith(outcome: Outcome): void {
    try {
      this.#finalRun = outcome.currentRun;
      this.#timers = ProcessTimers.fromState(outcome.timers);
      const error = outcome.error ? this.#readError(outcome.error) : null;
      // A rejection with the process's own error arrives once, so `error` and the rejection are one object.
      const value = outcome.payload === null ? error : deserialize(outcome.payload);
      this.#finish({ status: outcome.status, value }, error);
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
  return superviseProcess(process, registration, ownWorkers);
});

/** Start `process` on workers from `source` (a pool's, for pool items); its handle is bound to the instance. */
export function superviseProcess(process: Skprocess<unknown>, registration: Registration, source: WorkerSource): ProcessBinding {
  const supervisor = new Supervisor(process, registration, source);
  bindProcess(process, supervisor);
  return supervisor;
}
