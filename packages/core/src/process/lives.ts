/**
 * The lives policy, as pure functions: how an attempt ended ({@link judgeAttempt}, for the parent's
 * supervisor), and what happens next ({@link afterFailure}). The worker's engine asks `afterFailure`
 * when a hook throws; the supervisor when a worker dies, times out or breaks the protocol.
 */
import type { Section } from '../errors.ts';
import type { Ended } from '../runtime/worker-life.ts';

/** How an attempt ended without a result. */
export type AttemptFailure =
  /** A hook threw (or its promise rejected) inside the worker. */
  | 'threw'
  /** The parent ended the worker because a section passed its timeout. */
  | 'timed-out'
  /** The worker ended on its own (crash, exit, close, out of memory). */
  | 'died'
  /** The worker answered with something that is not an outcome. */
  | 'broke-protocol';

/** What the policy knows about the failure. */
export interface FailureFacts {
  readonly failure: AttemptFailure;
  /** The section that was running, or null between sections. */
  readonly section: Section | null;
  /** Lives left before this failure, counting the attempt that failed. */
  readonly livesLeft: number;
  /** The process defines `__error__`. */
  readonly hasErrorHook: boolean;
  /** The attempt was already handling exhausted lives (an error-phase worker, or `__error__` running). */
  readonly handlingError: boolean;
}

/** What happens next. */
export type NextStep =
  /** Run again from the same run index, with one life less. */
  | { readonly step: 'retry'; readonly livesLeft: number }
  /** Lives are exhausted: `__error__` decides the outcome. */
  | { readonly step: 'handle'; readonly livesLeft: 0 }
  /** The process ends rejected with this failure. */
  | { readonly step: 'reject'; readonly livesLeft: number };

/** The next step after a failed attempt. */
export function afterFailure({ failure, section, livesLeft, hasErrorHook, handlingError }: FailureFacts): NextStep {
  // `__error__` itself failed, or the worker broke the protocol: nothing to retry.
  if (handlingError || section === 'error' || failure === 'broke-protocol') return { step: 'reject', livesLeft };
  const left = livesLeft - 1;
  if (left > 0) return { step: 'retry', livesLeft: left };
  return hasErrorHook ? { step: 'handle', livesLeft: 0 } : { step: 'reject', livesLeft: 0 };
}

/** What the parent saw when an attempt ended. */
export interface AttemptEnd<T> {
  /** How the parent's call on the worker settled: its answer, a rejected call, or the worker's exit. */
  readonly ended: Ended<T>;
  /** The parent ended the worker because a section passed its timeout. */
  readonly timedOut: boolean;
  /** The worker broke the mail protocol (the parent is ending it for that). */
  readonly brokeMail: boolean;
  /** The worker is being ended (terminated, or its source is ending it). */
  readonly ending: boolean;
}

/** What an attempt's end means: its outcome stands, or it failed (and {@link afterFailure} decides what next). */
export type AttemptVerdict<T> = {
  /** The worker answered normally and goes on living: its source (a pool) may lease it again. */
  readonly reusable: boolean;
} & ({ readonly outcome: T; readonly failure: null } | { readonly outcome: null; readonly failure: AttemptFailure });

/** Judge an attempt's end: a timeout that fired after the worker answered does not undo its answer. */
export function judgeAttempt<T>({ ended, timedOut, brokeMail, ending }: AttemptEnd<T>): AttemptVerdict<T> {
  const reusable = 'value' in ended && !timedOut && !brokeMail && !ending;
  if ('value' in ended && !brokeMail) return { reusable, outcome: ended.value, failure: null };
  if (timedOut) return { reusable, outcome: null, failure: 'timed-out' };
  return { reusable, outcome: null, failure: 'exit' in ended && !brokeMail ? 'died' : 'broke-protocol' };
}
