// The lives policy is pure functions: tables of how an attempt ended and what must happen next.
import { describe, expect, it } from 'vitest';
import { afterFailure, judgeAttempt, type AttemptEnd, type AttemptVerdict, type FailureFacts, type NextStep } from '../src/process/lives.ts';

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

const answered = { value: 'the outcome' };
const rejected = { broken: new Error('the call was rejected') };
const exited = { exit: { code: 1, description: 'exited with code 1' } };
const calm: AttemptEnd<string> = { ended: answered, timedOut: false, brokeMail: false, ending: false };

const verdicts: Array<[string, Partial<AttemptEnd<string>>, AttemptVerdict<string>]> = [
  ['answered normally: the outcome stands, the worker may serve again', {}, { reusable: true, outcome: 'the outcome', failure: null }],
  ['answered, but its worker is being ended: the outcome stands', { ending: true }, { reusable: false, outcome: 'the outcome', failure: null }],
  ['answered just as its section timed out: the outcome stands, the worker is ended', { timedOut: true, ending: true }, { reusable: false, outcome: 'the outcome', failure: null }],
  ['answered after breaking the mail protocol: a broken protocol', { brokeMail: true, ending: true }, { reusable: false, outcome: null, failure: 'broke-protocol' }],
  // Each of these ends the worker; a verdict does not rely on the worker already being marked as ending.
  ['answered as a timeout fired, worker not yet ending: not reusable', { timedOut: true }, { reusable: false, outcome: 'the outcome', failure: null }],
  ['answered after breaking the mail protocol, worker not yet ending: not reusable', { brokeMail: true }, { reusable: false, outcome: null, failure: 'broke-protocol' }],
  ['the worker exited: it died', { ended: exited }, { reusable: false, outcome: null, failure: 'died' }],
  ['the worker exited after the timeout ended it: timed out', { ended: exited, timedOut: true, ending: true }, { reusable: false, outcome: null, failure: 'timed-out' }],
  ['the worker exited after breaking the mail protocol: a broken protocol', { ended: exited, brokeMail: true, ending: true }, { reusable: false, outcome: null, failure: 'broke-protocol' }],
  ['the call on the worker was rejected: a broken protocol', { ended: rejected }, { reusable: false, outcome: null, failure: 'broke-protocol' }],
  ['the call was rejected after a timeout: timed out', { ended: rejected, timedOut: true }, { reusable: false, outcome: null, failure: 'timed-out' }],
];

describe('judgeAttempt', () => {
  it.each(verdicts)('%s', (_name, facts, expected) => {
    expect(judgeAttempt({ ...calm, ...facts })).toEqual(expected);
  });
});
