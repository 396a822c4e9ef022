// The raw sides of the Share bench: Atomics.add on a shared Int32Array (the floor), and a worker that
// asks a coordinator thread for each increment and waits for its answer (the original library's design).
import { parentPort, workerData } from 'node:worker_threads';

const { mode, ops, buffer, port } = workerData;
const began = performance.now();
if (mode === 'atomics') {
  const ints = new Int32Array(buffer);
  for (let i = 0; i < ops; i += 1) Atomics.add(ints, 0, 1);
  parentPort.postMessage(performance.now() - began);
} else {
  let done = 0;
  port.on('message', () => {
    done += 1;
    if (done === ops) {
      parentPort.postMessage(performance.now() - began);
      port.close();
    } else port.postMessage('increment');
  });
  port.postMessage('increment');
}
