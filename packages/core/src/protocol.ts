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
   * encoded by `encodeMail`, and the worker's `END_OF_MAIL` before it reports its outcome.
   */
  readonly mail: MessagePort;
}

/** How a process ended, as the worker reports it. */
export interface Outcome {
  /** 'resolved': `result()` resolves to `payload`; 'rejected': it rejects with `payload`. */
  readonly status: 'resolved' | 'rejected';
  readonly payload: SerializedValue;
  /** The serialized `ProcessError` that ended the process, or null. */
  readonly error: SerializedValue | null;
  /** `ProcessTimers.toState()`: plain numbers, rebuilt in the parent. */
  readonly timers: ProcessTimersState;
  readonly currentRun: number;
}

/** What a worker exposes to its parent. */
export interface WorkerApi {
  /** Runs a process to its end. Resolves with its outcome. */
  run(start: StartMessage, parent: ParentApi): Promise<Outcome>;
  /** A `stop()` from the parent, where there is no shared control block. */
  requestStop(): void;
}

/** What a parent exposes to its worker (passed as a Comlink proxy). */
export interface ParentApi {
  /** Progress, where there is no shared control block: run index, lives left, section index (-1: none) and its start. */
  progress(currentRun: number, livesLeft: number, section: number, sectionStartedAt: number): void;
}
