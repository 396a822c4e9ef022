import type { ClosedItself } from '@suitkaise/core/worker';

/** What a worker posts before it closes itself (Comlink ignores messages without an id). */
export const CLOSED_ITSELF: ClosedItself = Object.freeze({ kind: 'closed-itself' });

/** Whether a message from a worker is {@link CLOSED_ITSELF} (the page also gets Comlink's messages, which have no `kind`). */
export function isClosedItself(message: unknown): boolean {
  return typeof message === 'object' && message !== null && (message as { kind?: unknown }).kind === CLOSED_ITSELF.kind;
}
