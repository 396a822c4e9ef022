/**
 * Section timeouts, enforced from the parent: while an attempt runs, a watchdog compares the time
 * its running section has taken (from the control block) with that section's limit, on a timer and
 * from inside Share lock waits in this thread (where timers cannot fire).
 */
import type { ProcessTimeouts } from './config.ts';
import { SECTIONS, sharedNow, type ControlBlock } from './control.ts';
import { ProcessTimeoutError } from '../errors.ts';
import { flushAllMail } from './outbox.ts';
import { setLockWaitHook } from '../share/store.ts';

/** The section watchdogs of the processes running now. */
const watchdogs = new Set<() => void>();
setLockWaitHook(() => {
  // Tells gathered before the wait go out: the holder of the lock may be waiting for one of them.
  flushAllMail();
  for (const check of watchdogs) check();
});

/**
 * Watch the sections running in `control`: once one passes its limit in `timeouts`, the watch stops
 * and `onTimeout` is called (it ends the worker). Returns what stops the watch, or undefined when no
 * section has a limit.
 */
export function watchSections(
  control: ControlBlock,
  timeouts: ProcessTimeouts,
  onTimeout: (timeout: ProcessTimeoutError) => void,
): (() => void) | undefined {
  const limits = SECTIONS.map((section) => timeouts[section]).filter((limit): limit is number => limit !== null);
  if (limits.length === 0) return undefined;
  const period = Math.min(50, Math.max(2, Math.min(...limits) / 10));
  const check = () => {
    const section = control.section;
    const limit = section ? timeouts[section] : null;
    if (section === null || limit === null) return;
    if (sharedNow() - control.sectionStartedAt > limit) {
      stop();
      onTimeout(new ProcessTimeoutError(section, limit, control.currentRun));
    }
  };
  const timer = setInterval(check, period);
  watchdogs.add(check);
  const stop = () => {
    clearInterval(timer);
    watchdogs.delete(check);
  };
  return stop;
}
