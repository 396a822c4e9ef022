/**
 * The parent side of a running process: gets a worker per attempt (its own, or a
 * pool's) as a {@link WorkerLife}, drives it over Comlink, enforces section timeouts from
 * outside (terminate), replaces a worker that dies while lives remain, and
 * turns every way a worker can end into a settled result. One attempt's worker and mail are an
 * `Attempt` (attempt.ts), the timeouts are watched by watchdog.ts, and what an attempt's end means
 * and what comes next is the lives policy (lives.ts).
 */
import * as Comlink from 'comlink';
import { resolveProcessConfig, type ProcessConfig } from './config.ts';
import { ControlBlock } from './control.ts';
import { ProcessError, hookOf, type Section } from '../errors.ts';
import { MAX_DELAY, Mailbox, Serialized, encodeMail, queuedCopy } from './mailbox.ts';
import { bindProcess, installStarter, type ProcessBinding, type ProcessHooks, type Skprocess } from './process.ts';
import type { Outcome, Phase, StartMessage } from '../protocol.ts';
import { registrationOf, type Registration } from '../runtime/registry.ts';
import { deserialize, serialize, type SerializedValue } from '../serializer/index.ts';
import { ProcessTimers } from '../timing/timing.ts';
import { claimPoints, repairPoints } from '../pipe/points.ts';
import { afterFailure, judgeAttempt, type AttemptFailure, type AttemptVerdict } from './lives.ts';
import { Queue } from '../queue.ts';
import { markTransferred, transferFor } from '../serializer/transfer.ts';
import { WorkerLife, atMost, messageOf, type Ended } from '../runtime/worker-life.ts';
import { Attempt, readProcessError } from './attempt.ts';
import { watchSections } from './watchdog.ts';

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

/** A process's own worker per attempt. */
const ownWorkers: WorkerSource = {
  acquire: (registration, signal) => WorkerLife.spawn(registration, signal),
  release: (life) => void life.end(),
};

/** How long an outcome waits for the worker's last tells when the worker died right after sending it. */
const MAIL_GRACE = 2_000;

/** How long a terminated worker may take to be gone before the process settles anyway. */
const EXIT_WAIT = 2_000;

type Settled = { status: 'resolved' | 'rejected'; value: unknown };

/** The state a worker starts from, and the ports that move into it with that state. */
type Snapshot = { state: SerializedValue; moving: Transferable[] };

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
    let told = encodeMail(data);
    if (!this.#attempt && told instanceof Serialized) {
      const points = transferFor(told.envelope);
      // Told twice before the worker is up: the second tell throws now.
      if (points.length > 0) claimPoints(points);
      else told = queuedCopy(told);
    }
    this.#forgetRead();
    // Posted first: a tell postMessage refuses throws here and is never queued for a replacement.
    this.#attempt?.post(told);
    this.#told.push(told);
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

  /** One attempt: a worker, started on `phase`, watched to its end; then its outcome, or the lives policy. */
  async #attemptWorker(phase: Phase, failure: ProcessError | null): Promise<void> {
    // Before spawning: a point that cannot be re-paired fails the process without a worker to clean up.
    const snapshot = this.#stateForAttempt();
    const life = await this.#acquire();
    if (life === null) return;
    if (this.#settled) return this.#source.release(life, true); // killed meanwhile
    const attempt = new Attempt(life, { inbox: this.#inbox, control: this.#control, currentRun: () => this.currentRun });
    const running = this.#begin(attempt, phase, failure, snapshot);
    const { ended, verdict } = await this.#awaitEnd(attempt, running);
    if (this.#settled) return; // killed meanwhile
    if (verdict.failure === null) return this.#finishWith(verdict.outcome);
    this.#afterFailure(attempt, verdict.failure, ended, phase, failure);
  }

  /** A worker from the source; none when it could not be had (the process then fails). */
  async #acquire(): Promise<WorkerLife | null> {
    try {
      return await this.#source.acquire(this.#registration, this.#killed.signal);
    } catch (error) {
      const failed = new ProcessError(`could not start the worker for ${this.#registration.id}: ${messageOf(error)}`, { originalError: error });
      this.#finish({ status: 'rejected', value: failed }, failed);
      return null;
    }
  }

  /** What the worker is started with: the process state, where it is (run, lives, phase), and its mail port. */
  #startMessage(attempt: Attempt, phase: Phase, failure: ProcessError | null, state: SerializedValue): StartMessage {
    return {
      classId: this.#registration.id,
      state,
      control: this.#control.buffer,
      currentRun: this.#control.currentRun,
      livesLeft: this.#control.livesLeft,
      phase,
      failure: failure ? serialize(failure) : null,
      mail: attempt.workerPort,
      joinDeadline: this.#control.joinDeadline || null,
      lockToken: attempt.life.lockToken,
    };
  }

  /**
   * Make `attempt` the running one, post it the tells it should get, and start its worker on `phase`
   * from `snapshot`; should any of that throw, the attempt is ended.
   */
  #begin(attempt: Attempt, phase: Phase, failure: ProcessError | null, { state, moving }: Snapshot): Promise<Outcome> {
    try {
      this.#attempt = attempt;
      // Told before this worker was up, or told to a worker that died before reading them: in order.
      this.#forgetRead();
      for (const told of this.#told) attempt.post(told);
      if (this.#control.stopRequested) attempt.outbox.note({ kind: 'stop' });
      const start = this.#startMessage(attempt, phase, failure, state);
      const running = attempt.life.remote.run(Comlink.transfer(start, [attempt.workerPort, ...moving]));
      markTransferred(moving);
      attempt.adopt(moving);
      return running;
    } catch (error) {
      this.#attempt = null;
      this.#endAttempt(attempt, false);
      throw error;
    }
  }

  /** Wait (watching the section timeouts) until the attempt's worker answers or ends; then end the attempt. */
  async #awaitEnd(attempt: Attempt, running: Promise<Outcome>): Promise<{ ended: Ended<Outcome>; verdict: AttemptVerdict<Outcome> }> {
    const stopWatching = watchSections(this.#control, this.#config.timeouts, (timeout) => attempt.timeOut(timeout));
    const ended = await attempt.life.race(running);
    stopWatching?.();
    // With an outcome in hand, a worker that dies now is no failure; its last tells may still be on their way.
    if ('value' in ended) await atMost(attempt.mailEnded, MAIL_GRACE, undefined);
    this.#attempt = null;
    const verdict = judgeAttempt({ ended, timedOut: attempt.timedOut !== null, brokeMail: attempt.broken !== null, ending: attempt.life.ending });
    const gone = this.#endAttempt(attempt, verdict.reusable);
    if (!verdict.reusable) await atMost(gone, EXIT_WAIT, undefined);
    return { ended, verdict };
  }

  /**
   * The attempt failed: the lives policy decides between another attempt, `__error__` on a fresh
   * worker, and rejecting. `handling` is the failure an error-phase attempt was handling.
   */
  #afterFailure(attempt: Attempt, how: AttemptFailure, ended: Ended<Outcome>, phase: Phase, handling: ProcessError | null): void {
    const section = this.#control.section;
    const lost = attempt.timedOut ?? attempt.broken ?? this.#lostWorker(ended, section);
    this.#control.leaveSection();
    const next = afterFailure({
      failure: how,
      section,
      livesLeft: this.#control.livesLeft,
      hasErrorHook: this.#hasErrorHook,
      // An error-phase worker, or lives already ran out inside the worker (it was running `__error__`).
      handlingError: phase === 'error' || attempt.exhaustedBy !== null,
    });
    this.#control.livesLeft = next.livesLeft;
    if (next.step === 'retry') return this.#launch('run', null);
    if (next.step === 'handle') return this.#launch('error', lost);
    this.#finish({ status: 'rejected', value: lost }, handling ?? attempt.exhaustedBy ?? lost);
  }

  /** The error for a worker that exited, or whose call on it was rejected, during `section`. */
  #lostWorker(ended: Ended<Outcome>, section: Section | null): ProcessError {
    const where = section ? `${hookOf(section)} on run ${this.currentRun}` : `run ${this.currentRun}`;
    if ('exit' in ended) {
      return new ProcessError(`the worker ${ended.exit.description} during ${where}`, { currentRun: this.currentRun, originalError: ended.exit.error });
    }
    // (An attempt with an outcome gets here only when it broke the mail protocol, and then `attempt.broken` is the error.)
    const broken = 'broken' in ended ? ended.broken : undefined;
    return new ProcessError(`the worker broke the protocol during ${where}: ${messageOf(broken)}`, { currentRun: this.currentRun, originalError: broken });
  }

  /**
   * Ends an attempt: its mail channel and pipe points, and the worker (given back to its source when
   * `reusable`, else ended; the promise settles once it is gone and its Share locks are freed).
   */
  #endAttempt(attempt: Attempt, reusable: boolean): Promise<void> {
    attempt.close();
    this.#source.release(attempt.life, reusable);
    return reusable ? Promise.resolve() : attempt.life.end();
  }

  /**
   * The state a worker starts from: the snapshot taken at `start()`, and the ports that move with
   * it. Pipe points in it moved into the first worker; a replacement gets fresh ports, re-paired
   * with their anchors in this thread.
   */
  #stateForAttempt(): Snapshot {
    this.#attempts += 1;
    const moving = transferFor(this.#state);
    if (this.#attempts === 1 || moving.length === 0) return { state: this.#state, moving };
    return { state: this.#state, moving: repairPoints(this.#state) };
  }

  #finishWith(outcome: Outcome): void {
    try {
      this.#finalRun = outcome.currentRun;
      this.#timers = ProcessTimers.fromState(outcome.timers);
      const error = outcome.error ? readProcessError(outcome.error) : null;
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
