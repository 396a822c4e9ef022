// The platform WebSocket as a Reconnector, in Chromium, against the ws echo server the browser
// project's global setup starts on loopback (global-setup/ws-echo-server.ts).
import { describe, expect, inject, it } from 'vitest';
import { Reconnector, ReconnectError, cucumber } from '@suitkaise/core';
import { crossed } from './helpers/crossed.ts';

function opened(socket: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.onopen = () => resolve();
    socket.onerror = () => reject(new Error(`could not open ${socket.url}`));
  });
}

describe('WebSocket (browser)', () => {
  const port = inject('wsEchoPort');

  it('crosses without its token; reconnect(token) opens the same URL and echoes', async () => {
    expect(port, 'the browser project global setup (global-setup/ws-echo-server.ts) did not provide wsEchoPort').toBeTypeOf('number');
    const original = new WebSocket(`ws://127.0.0.1:${port}/secure?room=3&token=browser-secret-token`);
    await opened(original);
    const sent = structuredClone(cucumber.serialize({ feed: original }));
    expect(JSON.stringify(sent)).not.toContain('browser-secret-token');
    const back = cucumber.deserialize(sent) as { feed: Reconnector<WebSocket> };
    original.close();
    expect(back.feed).toBeInstanceOf(Reconnector);
    expect(back.feed.type).toBe('WebSocket');
    expect(back.feed.details).toMatchObject({ url: `ws://127.0.0.1:${port}/secure?room=3`, removedParams: ['token'] });
    expect(JSON.stringify(back.feed)).not.toContain('browser-secret-token');

    await expect(back.feed.reconnect()).rejects.toThrow(ReconnectError); // without the token the server refuses
    const socket = await back.feed.reconnect('browser-secret-token');
    try {
      expect(socket).toBeInstanceOf(WebSocket);
      expect(socket.readyState).toBe(WebSocket.OPEN);
      const echoed = new Promise<unknown>((resolve) => { socket.onmessage = (event) => resolve(event.data); });
      socket.send('ping from chromium');
      expect(await echoed).toBe('ping from chromium');
    } finally {
      socket.close();
    }
  });

  it('reconnectAll puts the live socket back in place, with the per-field credential', async () => {
    const original = new WebSocket(`ws://127.0.0.1:${port}/secure?token=browser-secret-token`);
    await opened(original);
    const state = crossed({ feed: original, plain: 1 });
    original.close();
    await cucumber.reconnectAll(state, { WebSocket: { '*': 'wrong', feed: 'browser-secret-token' } });
    expect(state.feed).toBeInstanceOf(WebSocket);
    expect(state.feed.readyState).toBe(WebSocket.OPEN);
    state.feed.close();
  });
});
