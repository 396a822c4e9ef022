// The raw worker_threads baseline of the Pool bench (bench/pool.ts), batched by hand: each
// message is an array of items; the worker maps every item and posts the results array back.
//   workerData.task === 'increment': x => x + 1;  'busy': spin x ms, return x.
import { parentPort, workerData } from 'node:worker_threads';
import { busy, increment } from './pool-peer-worker.mjs';

const task = workerData?.task === 'busy' ? busy : increment;
parentPort.on('message', (items) => {
  const results = new Array(items.length);
  for (let i = 0; i < items.length; i++) results[i] = task(items[i]);
  parentPort.postMessage(results);
});
