// What a promise rejected with, for tests that then look at the error's class and fields.

/** The reason `promise` rejects with; if it resolves instead, rejects saying what it resolved to. */
export function rejection(promise: PromiseLike<unknown>): Promise<unknown> {
  return Promise.resolve(promise).then(
    (value) => { throw new Error(`expected a rejection, but it resolved to ${String(value)}`); },
    (reason: unknown) => reason,
  );
}
