/**
 * Owns `Sktimer` and `ProcessTimers`: per-section timing statistics, kept in both hosts.
 * May import: errors.
 */
export { Sktimer, ProcessTimers, type SktimerStatistics, type SktimerState, type ProcessTimersState } from './timing.ts';
