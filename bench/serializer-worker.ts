// The worker side of the cucumber benchmark (bench/serializer.ts), bundled by it as
// bench/run.mjs bundles bench/index.ts. Importing ./serializer.ts registers the benchmark's class
// here too, under the same id.
//
// Round-trip worker: it is sent three MessagePorts and echoes on each:
//   raw:   postMessage(message) back, as it arrived (structured clone only: classes are lost);
//   clone: serialize(deserialize(message)), the structured-clone form of cucumber;
//   bytes: serialize(deserialize(message), { bytes: true }), the byte form, its buffer transferred.
// It times its deserialize and serialize, and answers 'timings' on its own port with them.
// Probe worker (workerData.role === 'probe'): runs one in-thread method on one payload, so that
// the parent can give up on a library that never finishes (see `Prober`).
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { cucumber } from '@suitkaise/core';
import { serializeBytes, serveProbes, transferable, type WorkerPorts, type WorkerTimings } from './serializer.ts';

const timings: WorkerTimings = { clone: [], bytes: [] };

function echo(port: MessagePort, kind: keyof WorkerTimings, serialize: (value: unknown) => unknown, transfer: (wire: unknown) => ArrayBuffer[]): void {
  port.on('message', (message: unknown) => {
    try {
      const t0 = performance.now();
      const value = cucumber.deserialize(message);
      const t1 = performance.now();
      const wire = serialize(value);
      timings[kind].push([t1 - t0, performance.now() - t1]);
      port.postMessage(wire, transfer(wire));
    } catch (error) {
      port.postMessage({ benchError: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    }
  });
}

const port = parentPort!;
if ((workerData as { role?: string } | null)?.role === 'probe') {
  await serveProbes(port);
} else {
  port.on('message', (message: WorkerPorts | 'timings') => {
    if (message === 'timings') {
      port.postMessage({ ...timings });
      timings.clone = [];
      timings.bytes = [];
      return;
    }
    const ports = message;
    ports.raw.on('message', (raw: unknown) => ports.raw.postMessage(raw));
    echo(ports.clone, 'clone', (value) => cucumber.serialize(value), () => []);
    echo(ports.bytes, 'bytes', (value) => serializeBytes(value), (wire) => transferable(wire as Uint8Array));
  });
}
