/**
 * The parent ↔ worker protocol: types only, imported by both sides.
 * Comlink carries these calls; the shared control block (control.ts) carries
 * what must be seen while a section runs synchronous code.
 */
import type { SerializedValue } from './serializer/index.ts';
import type { ProcessTimersState } from './timing/timing.ts';
import type { ModuleRef } from './runtime/adapter.ts';

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
  /** Worker → parent, without shared memory only: a hook read one of the parent's tells (the control block counts them otherwise). */
  | { readonly sk: 'read' }
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

/**
 * A pool task: a chunk of calls to one registered function. Transport-neutral by design: a
 * registration id and serialized arguments in, serialized results out (only Share handles and
 * Pipe points in the arguments tie it to this machine).
 */
export interface TaskBatch {
  /** Registered id of the function. */
  readonly id: string;
  /** The items, one per call: serialized, or as they are when `plain`. */
  readonly items: SerializedValue | readonly unknown[];
  /** Every item is a primitive that structured clone copies exactly: sent without the serializer. */
  readonly plain: boolean;
  /** Spread each item (an array) into the arguments (`star()`), rather than passing it as the one argument. */
  readonly spread: boolean;
}

/** How a {@link TaskBatch} ended: every result, or the results before the first item that threw. */
export interface TaskOutcome {
  /** The results in item order, up to (not including) `failedAt`: serialized, or as they are when `plain`. */
  readonly results: SerializedValue | readonly unknown[];
  /** Every result is a primitive that structured clone copies exactly: sent without the serializer. */
  readonly plain: boolean;
  /** Index within the batch of the item that threw, or -1. */
  readonly failedAt: number;
  /** What that item threw, serialized. */
  readonly error: SerializedValue | null;
  /** Milliseconds the worker spent calling the function (the chunk-size policy reads it). */
  readonly elapsed: number;
}

/**
 * Pool tasks ride a dedicated port per worker, not Comlink: a task is one message each way
 * (Comlink's request/response costs several times a raw message, and a pool sends many).
 */
export type TaskMessage =
  /** Parent → worker: run `batch`; the reply carries the same `seq`. */
  | { readonly kind: 'task'; readonly seq: number; readonly batch: TaskBatch }
  /** Worker → parent: how task `seq` ended. */
  | { readonly kind: 'task-done'; readonly seq: number; readonly outcome: TaskOutcome }
  /** Worker → parent: a message on the task port that the worker does not know, named in `message`. */
  | { readonly kind: 'unknown-message'; readonly message: string };

/** What a worker exposes to its parent. */
export interface WorkerApi {
  /** Runs a process to its end. Resolves with its outcome (failures included: it does not reject). */
  run(start: StartMessage): Promise<Outcome>;
  /** Loads a registered module's worker code (a pool worker serves any module, loaded on first use). */
  load(module: ModuleRef): Promise<void>;
  /** Takes the worker's end of its task port ({@link TaskMessage}s), once, before the first pool task. */
  openTasks(port: MessagePort): void;
}
