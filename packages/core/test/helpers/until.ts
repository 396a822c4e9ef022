// Waiting in a test for something the code under test makes true, instead of sleeping a guessed time.

/** Resolves once `condition()` holds, checking every 5 ms; rejects naming `what` after `limit` ms. */
export async function until(condition: () => boolean, what: string, limit = 10_000): Promise<void> {
  const deadline = Date.now() + limit;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${limit} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
