/**
 * The lives policy, as one pure function: how an attempt ended, and what happens next. The worker's
 * engine asks it when a hook throws; the parent's supervisor when a worker dies or times out.
 */
import type { Section } from '../errors.ts';

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
