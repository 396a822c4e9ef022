/**
 * Owns `Skprocess`: the facade, the parent-side supervisor (one worker's attempt, the section watchdog), the worker-side engine, the control block, config defaults, the lives policy and the tell/listen mailbox (receiving) and outbox (sending, batched).
 * May import: errors, protocol, modifiers, queue, runtime, serializer, share, pipe, timing, reconnect.
 */
export { Skprocess, type ProcessHooks } from './process.ts';
export type { ProcessConfig, ProcessTimeouts } from './config.ts';
