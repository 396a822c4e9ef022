/**
 * The parent ↔ worker protocol: types only, imported by both sides.
 * Comlink carries these calls; the shared control block (control.ts) carries
 * what must be seen while a section runs synchronous code.
 */
import type { SerializedValue } from './serializer/index.ts';
import type { ProcessTimersState } from './timing.ts';

/** Why the worker is started. */
export type Phase =
  /** Run the lifecycle from `currentRun` on. */
  | 'run'
  /** Lives are exhausted by a failure the parent saw (timeout, crash): run only `__error__`. */
  | 'error';

/** Sent with `WorkerApi.run`: everything a worker needs to run one process. */
export interface StartMessage {
  /** Registered id of the process class. */
  readonly classId: string;
  /** The process instance as serialized at `start()`. */
  readonly state: SerializedValue;
  /** Shared control block, or null where shared memory is unavailable. */
  readonly control: SharedArrayBuffer | null;
  /** Run index to resume from (carried over when a worker is replaced). */
  readonly currentRun: number;
  /** Lives left, counting this attempt. */
  readonly livesLeft: number;
  readonly phase: Phase;
  /** With phase 'error': the serialized `ProcessError` that exhausted the lives. */
  readonly failure: SerializedValue | null;
  /**
   * The worker's end of this attempt's mail channel (transferred): tell/listen messages both ways,
   * encoded by `encodeMail`, and {@link MailNote}s.
   */
  readonly mail: MessagePort;
  /** When `joinIn` runs out ({@link sharedNow} clock), if a previous worker fixed it; else null. */
  readonly joinDeadline: number | null;
  /** The token the worker holds Share locks under, so the parent can free them if the worker dies. */
  readonly lockToken: number;
}

/** Control notes on the mail port, in order with the messages around them. */
export type MailNote =
  /** Worker → parent: no more mail; the outcome follows. */
  | { readonly sk: 'end' }
  /** Parent → worker: `stop()`: wakes a hook waiting in `listen()`, and is the stop itself without shared memory. */
  | { readonly sk: 'stop' }
  /** Worker → parent: lives ran out with this serialized `ProcessError`; `__error__` runs next. */
  | { readonly sk: 'failure'; readonly error: SerializedValue }
  /** Worker → parent, without shared memory only: what the control block would show. */
  | {
      readonly sk: 'progress';
      readonly currentRun: number;
      readonly livesLeft: number;
      /** Index in SECTIONS, -1: none. */
      readonly section: number;
      readonly sectionStartedAt: number;
      readonly joinDeadline: number;
    };

/** Control notes between the two ends of a `Pipe`, on its port. */
export type PipeNote =
  /** The sender closed its end: what was sent before can still be read, then `recv()` rejects. */
  { readonly sk: 'pipe-close' };

/** How a process ended, as the worker reports it. */
export interface Outcome {
  /** 'resolved': `result()` resolves to `payload`; 'rejected': it rejects with `payload`, or with `error` when `payload` is null. */
  readonly status: 'resolved' | 'rejected';
  readonly payload: SerializedValue | null;
  /** The serialized `ProcessError` that ended the process, or null. */
  readonly error: SerializedValue | null;
  /** `ProcessTimers.toState()`: plain numbers, rebuilt in the parent. */
  readonly timers: ProcessTimersState;
  readonly currentRun: number;
}

/** What a worker exposes to its parent. */
export interface WorkerApi {
  /** Runs a process to its end. Resolves with its outcome (failures included: it does not reject). */
  run(start: StartMessage): Promise<Outcome>;
}
