// Raw worker_threads baselines for `npm run bench`: no suitkaise, no Comlink.
//   workerData.mode === 'once': answer the first message on the worker's own port, then idle.
//   workerData.mode === 'port': echo every message on the MessagePort it is sent, until 'stop'.
import { parentPort, workerData } from 'node:worker_threads';

if (workerData?.mode === 'port') {
  parentPort.once('message', (port) => {
    port.on('message', (message) => {
      if (message === 'stop') port.close();
      else port.postMessage(message);
    });
  });
} else {
  parentPort.once('message', (message) => parentPort.postMessage(message));
}
