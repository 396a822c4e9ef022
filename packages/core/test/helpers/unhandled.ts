// Records the promise rejections the host reports as unhandled: Node's process 'unhandledRejection',
// a page's or worker's 'unhandledrejection' event.

/** What {@link watchUnhandledRejections} returns; disposing of it stops the recording. */
export interface UnhandledRejections extends Disposable {
  /** Stops recording once the host has reported what the tasks so far left unhandled; their reasons. */
  reported(): Promise<unknown[]>;
}

/** Starts recording unhandled rejections, until `reported()` or the end of a `using` scope. */
export function watchUnhandledRejections(): UnhandledRejections {
  const reasons: unknown[] = [];
  let stop: () => void;
  if (typeof window === 'undefined') {
    const record = (reason: unknown): void => { reasons.push(reason); };
    process.on('unhandledRejection', record);
    stop = () => process.off('unhandledRejection', record);
  } else {
    const record = (event: PromiseRejectionEvent): void => { reasons.push(event.reason); };
    globalThis.addEventListener('unhandledrejection', record);
    stop = () => globalThis.removeEventListener('unhandledrejection', record);
  }
  return {
    async reported() {
      // Node reports at the end of the task a rejection happened in; a browser in a task it queues
      // then: one more task, and every rejection of the tasks before it has been reported.
      await new Promise((resolve) => setTimeout(resolve, 0));
      stop();
      return reasons;
    },
    [Symbol.dispose]() {
      stop();
    },
  };
}
