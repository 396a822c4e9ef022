/** What a worker posts before it closes itself (Comlink ignores messages without an id). */
export const CLOSED_ITSELF = Object.freeze({ suitkaise: 'closed-itself' });

/** Whether a message from a worker is {@link CLOSED_ITSELF}. */
export function isClosedItself(message: unknown): boolean {
  return typeof message === 'object' && message !== null && (message as { suitkaise?: unknown }).suitkaise === CLOSED_ITSELF.suitkaise;
}
