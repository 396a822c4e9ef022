// The lives policy is a pure function: a table of how an attempt ended and what must happen next.
import { describe, expect, it } from 'vitest';
import { afterFailure, type FailureFacts, type NextStep } from '../src/process/lives.ts';

const base: FailureFacts = { failure: 'threw', section: 'run', livesLeft: 1, hasErrorHook: false, handlingError: false };

const cases: Array<[string, Partial<FailureFacts>, NextStep]> = [
  ['a hook threw, lives left: retry with one less', { livesLeft: 3 }, { step: 'retry', livesLeft: 2 }],
  ['a hook threw on the last life, no __error__: reject', { livesLeft: 1 }, { step: 'reject', livesLeft: 0 }],
  ['a hook threw on the last life, with __error__: handle', { livesLeft: 1, hasErrorHook: true }, { step: 'handle', livesLeft: 0 }],
  ['a timeout costs a life like a throw', { failure: 'timed-out', livesLeft: 2 }, { step: 'retry', livesLeft: 1 }],
  ['a timeout on the last life, with __error__: handle', { failure: 'timed-out', hasErrorHook: true }, { step: 'handle', livesLeft: 0 }],
  ['a dead worker costs a life: retry on a new one', { failure: 'died', section: 'prerun', livesLeft: 2 }, { step: 'retry', livesLeft: 1 }],
  ['a dead worker between sections, last life: reject', { failure: 'died', section: null }, { step: 'reject', livesLeft: 0 }],
  ['a broken protocol is never retried', { failure: 'broke-protocol', livesLeft: 5, hasErrorHook: true }, { step: 'reject', livesLeft: 5 }],
  ['__error__ itself timed out: reject, lives untouched', { failure: 'timed-out', section: 'error', livesLeft: 0, hasErrorHook: true }, { step: 'reject', livesLeft: 0 }],
  ['an error-phase worker died: reject', { failure: 'died', section: null, livesLeft: 0, hasErrorHook: true, handlingError: true }, { step: 'reject', livesLeft: 0 }],
];

describe('afterFailure', () => {
  it.each(cases)('%s', (_name, facts, expected) => {
    expect(afterFailure({ ...base, ...facts })).toEqual(expected);
  });
});
