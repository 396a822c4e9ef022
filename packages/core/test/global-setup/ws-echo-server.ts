// Global setup of the browser project: a `ws` echo server on loopback that the browser-side
// Reconnector test reaches with the platform WebSocket. Its port is provided as `wsEchoPort`.
// The port is picked by the OS (port 0), so concurrent test runs on one machine do not collide.
import type { AddressInfo } from 'node:net';
import type { TestProject } from 'vitest/node';
import { WebSocketServer } from 'ws';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Port of the ws echo server on 127.0.0.1; `/secure` needs `?token=browser-secret-token`. */
    wsEchoPort: number;
  }
}

/** Starts the server, provides its port, and returns the teardown. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    verifyClient: ({ req }: { req: { url?: string } }) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      return url.pathname !== '/secure' || url.searchParams.get('token') === 'browser-secret-token';
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  server.on('connection', (socket) => socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary })));
  project.provide('wsEchoPort', (server.address() as AddressInfo).port);
  return async () => {
    for (const client of server.clients) client.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
}
