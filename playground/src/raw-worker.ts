// The Bench panel's baseline: a plain module Web Worker, batched by hand. Each message is an array
// of numbers; it adds 1 to each and posts the results array back (as bench/browser-pool does).
const scope = self as unknown as {
  onmessage: ((event: MessageEvent<number[]>) => void) | null;
  postMessage(value: unknown): void;
};

scope.onmessage = (event) => {
  const items = event.data;
  const results = new Array<number>(items.length);
  for (let i = 0; i < items.length; i++) results[i] = items[i]! + 1;
  scope.postMessage(results);
};

export {};
