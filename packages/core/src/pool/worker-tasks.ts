/**
 * The worker side of a pool task: look the function up by its registration id, call it once per
 * item, and send back the results (or the results before the first item that threw, and what it threw).
 */
import { isThenable } from '../process/engine.ts';
import { sendableCopy } from '../errors.ts';
import type { TaskBatch, TaskOutcome, TaskReply, TaskRequest } from '../protocol.ts';
import { describeMessage } from '../runtime/worker-life.ts';
import { lookup } from '../runtime/registry.ts';
import { serialize, type SerializedValue } from '../serializer/index.ts';
import { packValues, unpackValues } from './plain.ts';
import { markTransferred, transferFor } from '../serializer/transfer.ts';

/** Serialize what an item threw; what cannot be sent in it is degraded to plain errors with the same name, message and stack. */
function serializeThrown(error: unknown): SerializedValue {
  try {
    return serialize(error);
  } catch {
    return serialize(sendableCopy(error));
  }
}

/** Run one batch. Resolves in every case: an item that throws ends the batch there. */
export async function runTasks(batch: TaskBatch): Promise<TaskOutcome> {
  const began = performance.now();
  const fn = lookup(batch.id);
  const done = (results: unknown[], failedAt: number, error: unknown): TaskOutcome => {
    let sent: ReturnType<typeof packValues>;
    try {
      sent = packValues(results);
    } catch (cause) {
      // A result that cannot be sent fails its item; the ones before it still arrive.
      const bad = findUnsendable(results);
      return { results: serialize(results.slice(0, bad)), plain: false, failedAt: bad, error: serializeThrown(cause), elapsed: performance.now() - began };
    }
    return { results: sent.values, plain: sent.plain, failedAt, error: failedAt < 0 ? null : serializeThrown(error), elapsed: performance.now() - began };
  };
  if (typeof fn !== 'function') {
    return done([], 0, new Error(`${batch.id} is not registered in this worker: its module registers nothing under that name`));
  }
  const items = unpackValues(batch.items, batch.plain);
  const results: unknown[] = new Array(items.length);
  const call = fn as (...args: unknown[]) => unknown;
  for (let i = 0; i < items.length; i += 1) {
    try {
      const item = items[i];
      let value = batch.spread ? call(...(item as unknown[])) : call(item);
      if (isThenable(value)) value = await value;
      results[i] = value;
    } catch (error) {
      results.length = i;
      return done(results, i, error);
    }
  }
  return done(results, -1, null);
}

function findUnsendable(results: unknown[]): number {
  for (let i = 0; i < results.length; i += 1) {
    try {
      serialize(results[i]);
    } catch {
      return i;
    }
  }
  return results.length;
}

/** Answer the {@link TaskRequest}s on `port`, one reply per task, in the order tasks finish; anything else is answered as unknown. */
export function serveTasks(port: MessagePort): void {
  port.onmessage = (event: MessageEvent) => {
    const data: unknown = event.data;
    const message = (typeof data === 'object' && data !== null ? data : {}) as TaskRequest;
    switch (message.kind) {
      case 'task':
        void runTasks(message.batch).then((outcome) => {
          const reply: TaskReply = { kind: 'task-done', seq: message.seq, outcome };
          const moving = transferFor(outcome.results);
          port.postMessage(reply, moving);
          if (moving.length > 0) markTransferred(moving);
        });
        return;
      default: {
        message.kind satisfies never; // every kind of TaskRequest has its case
        const unknown: TaskReply = { kind: 'unknown-message', message: describeMessage(data) };
        port.postMessage(unknown);
      }
    }
  };
}
