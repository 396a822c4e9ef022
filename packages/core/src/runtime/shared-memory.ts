/** Whether this realm can share memory with its workers. */
export function sharedMemoryAvailable(): boolean {
  return typeof SharedArrayBuffer === 'function' && (globalThis.crossOriginIsolated ?? true) !== false;
}
