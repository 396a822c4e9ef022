// The raw baseline of the start → result bench: a module Web Worker that answers one message.
const scope = self as unknown as { onmessage: ((event: MessageEvent<number>) => void) | null; postMessage(value: unknown): void };
scope.onmessage = (event) => scope.postMessage(event.data);
export {};
