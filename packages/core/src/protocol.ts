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
   * The worker's end of this attempt's mail channel (transferred): {@link ParentMail} in,
   * {@link WorkerMail} out.
   */
  readonly mail: MessagePort;
  /** When `joinIn` runs out ({@link sharedNow} clock), if a previous worker fixed it; else null. */
  readonly joinDeadline: number | null;
  /** The token the worker holds Share locks under, so the parent can free them if the worker dies. */
  readonly lockToken: number;
}

/**
 * One told or piped primitive, posted as it is: the commonest tell costs no more than a raw message.
 * It is never an object, and every other message is one, told apart by `kind`: so no value is ever
 * taken for a control message. (Not `undefined`: Node delivers a bare `undefined` as `null`; it
 * rides in a `values` message.)
 */
export type BareValue = string | number | boolean | bigint | null;

/**
 * Told or piped values on a mail or pipe port (besides a {@link BareValue}). An object a user sends
 * is never a message itself: it rides inside one of these, so whatever keys it has, it is never
 * taken for a control message.
 */
export type ValueMessage =
  /**
   * Values as they are, oldest first: primitives, and plain objects and arrays copied when they were
   * told (structured clone carries them exactly). Several tells made close together share one message.
   */
  | { readonly kind: 'values'; readonly values: readonly unknown[] }
  /** One value through cucumber (anything else: class instances, dates, maps, Pipe points…). */
  | { readonly kind: 'serialized'; readonly value: SerializedValue };

/** Parent → worker on the mail port: tells, and `stop()`. */
export type ParentMail =
  | BareValue
  | ValueMessage
  /** `stop()`: wakes a hook waiting in `listen()`, and is the stop itself without shared memory. */
  | { readonly kind: 'stop' };

/** Worker → parent on the mail port: tells and control notes, in order with each other. */
export type WorkerMail =
  | BareValue
  | ValueMessage
  /** No more mail; the outcome follows. */
  | { readonly kind: 'end' }
  /** Without shared memory only: a hook read one more of the parent's tells (the control block counts them otherwise). */
  | { readonly kind: 'read' }
  /** Lives ran out with this serialized `ProcessError`; `__error__` runs next. */
  | { readonly kind: 'failure'; readonly error: SerializedValue }
  /** Without shared memory only: what the control block would show. */
  | {
      readonly kind: 'progress';
      readonly currentRun: number;
      readonly livesLeft: number;
      /** Index in SECTIONS, -1: none. */
      readonly section: number;
      readonly sectionStartedAt: number;
      readonly joinDeadline: number;
    }
  /** The worker got a message on the mail port that it does not know, described in `message`. */
  | UnknownMessage;

/** Between the two ends of a `Pipe`, on its port: values, and closing. */
export type PipeMessage =
  | BareValue
  | ValueMessage
  /** The sender closed its end: what was sent before can still be read, then `recv()` rejects. */
  | { readonly kind: 'pipe-close' };

/** A receiver's answer to a message it does not know (its `kind`, or what it was, in `message`). */
export interface UnknownMessage {
  readonly kind: 'unknown-message';
  readonly message: string;
}

/** Worker → page (browser): the worker is closing itself (`self.close()`); nothing more will come. */
export interface ClosedItself {
  readonly kind: 'closed-itself';
}

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
 * Parent → worker.
 */
export type TaskRequest =
  /** Run `batch`; the reply carries the same `seq`. */
  { readonly kind: 'task'; readonly seq: number; readonly batch: TaskBatch };

/** Worker → parent on the task port. */
export type TaskReply =
  /** How task `seq` ended. */
  | { readonly kind: 'task-done'; readonly seq: number; readonly outcome: TaskOutcome }
  /** The worker got a message on the task port that it does not know. */
  | UnknownMessage;

/**
 * Every message suitkaise posts on a port of its own. Apart from a {@link BareValue}, each is an
 * object told apart by one key, `kind`, alone: each receiver handles its port's part of this union
 * and reports any other message as unknown, naming its kind. (Comlink's own messages, the `run`,
 * `load` and `openTasks` calls, are Comlink's.)
 */
export type Message = ParentMail | WorkerMail | PipeMessage | TaskRequest | TaskReply | ClosedItself;

/** The discriminant of every {@link Message} that is an object. */
export type MessageKind = Exclude<Message, BareValue>['kind'];

/** What a worker exposes to its parent. */
export interface WorkerApi {
  /** Runs a process to its end. Resolves with its outcome (failures included: it does not reject). */
  run(start: StartMessage): Promise<Outcome>;
  /** Loads a registered module's worker code (a pool worker serves any module, loaded on first use). */
  load(module: ModuleRef): Promise<void>;
  /** Takes the worker's end of its task port ({@link TaskRequest}s in, {@link TaskReply}s out), once, before the first pool task. */
  openTasks(port: MessagePort): void;
}
