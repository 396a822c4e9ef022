/**
 * Built-in reconnectors for connections and handles: `ws` WebSockets, the
 * platform `WebSocket` (browsers, Node ≥ 22), Node `net.Socket`, `fs/promises`
 * `FileHandle` and `BroadcastChannel`. In a browser only `WebSocket` and
 * `BroadcastChannel` apply; the others load their Node module when reconnected.
 *
 * URLs are captured without userinfo, fragment or secret-looking query
 * parameters (see `safeUrl`); a string credential goes back into the removed
 * parameter, or the userinfo, or (`ws` only) an `Authorization: Bearer` header.
 */
import { registerReconnector } from './reconnector.ts';
import type { ReconnectCredentials, ReconnectorDetails } from './types.ts';
import { className, compact, credentialUrl, driverExport, extraOptions, hasMethods, num, openedOrDiscarded, safeUrl, str, whenEmitted, whenOpen } from './util.ts';

type Record_ = Record<string, unknown>;

/** The URL, user name and removed parameters of a WebSocket, plus its negotiated subprotocol and binary type. */
function captureWebSocket(url: unknown, protocol: unknown, binaryType: unknown): ReconnectorDetails {
  if (typeof url !== 'string' || url === '') {
    throw new Error('a WebSocket without a URL (one a server accepted) cannot be reconnected from the other side: send data, not the socket');
  }
  const safe = safeUrl(url);
  return compact({ ...safe, protocol: str(protocol) || undefined, binaryType: str(binaryType) });
}

/** The subprotocols to ask for: the credentials' `protocols`, else the one negotiated before. */
function protocolsOf(details: ReconnectorDetails, auth: ReconnectCredentials | undefined): string[] {
  const given = auth?.protocols;
  if (typeof given === 'string') return [given];
  if (Array.isArray(given)) return given.filter((p): p is string => typeof p === 'string');
  const protocol = str(details.protocol);
  return protocol ? [protocol] : [];
}

/** Linux open(2) flag bits, as /proc/self/fdinfo prints them (octal). */
const O_ACCMODE = 0o3;
const O_APPEND = 0o2000;
const O_SYNC = 0o4010000;
const O_DSYNC = 0o10000;

/** The part of `node:fs` capture uses. */
type NodeFs = { readlinkSync(path: string): string; readFileSync(path: string, encoding: 'utf8'): string; constants: Record<string, number> };

/** Node's `fs`, synchronously (capture is synchronous), without a static import core cannot have. */
function nodeFs(): NodeFs | undefined {
  const get = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  return typeof get === 'function' ? (get('node:fs') as NodeFs) : undefined;
}

/**
 * Register the connection and handle reconnectors (ws, WebSocket, net.Socket, FileHandle, BroadcastChannel).
 * Called by the reconnect module's entry: an exported function, not an import for its side
 * effects, so bundlers honouring the package's `sideEffects` list keep it.
 */
export function registerSocketReconnectors(): void {
  // ws.WebSocket: class `WebSocket` with terminate/ping/pong (the platform WebSocket has none) and `_socket`.
  registerReconnector('ws.WebSocket', {
    test: (value) => className(value) === 'WebSocket' && hasMethods(value, 'terminate', 'ping', 'pong', 'send') && '_socket' in value,
    capture(socket: object): ReconnectorDetails {
      const record = socket as Record_;
      if (record._isServer === true) {
        throw new Error('a ws WebSocket a WebSocketServer accepted cannot be reconnected from the other side: keep it where the server runs');
      }
      return captureWebSocket(record.url, record.protocol, record.binaryType);
    },
    async reconnect(details, auth) {
      type Socket = EventTarget & { binaryType: string; terminate(): void };
      const WebSocket = await driverExport<new (url: string, protocols: string[], options: Record_) => Socket>('ws', 'WebSocket', 'ws.WebSocket');
      const { url, placed } = credentialUrl(details, auth, true);
      const options = extraOptions(auth, ['username', 'password', 'query', 'protocols']);
      if (!placed) options.headers = { authorization: `Bearer ${auth!.password}`, ...(options.headers as Record_ | undefined) };
      const socket = new WebSocket(url, protocolsOf(details, auth), options);
      const binaryType = str(details.binaryType);
      if (binaryType) socket.binaryType = binaryType;
      return openedOrDiscarded(socket, whenOpen(socket, `the WebSocket to ${str(details.url)}`), (opened) => opened.terminate());
    },
  });

  // WebSocket: an instance of the platform's global WebSocket (browsers; Node ≥ 22).
  registerReconnector('WebSocket', {
    test: (value) => typeof globalThis.WebSocket === 'function' && value instanceof globalThis.WebSocket,
    capture: (socket: WebSocket) => captureWebSocket(socket.url, socket.protocol, socket.binaryType),
    async reconnect(details, auth) {
      const { url, placed } = credentialUrl(details, auth, false);
      if (!placed) {
        throw new Error('a platform WebSocket cannot send a password in a header: give it as { query: { name: value } }, ' +
          'or capture a URL whose secret query parameter the password then fills');
      }
      if (typeof globalThis.WebSocket !== 'function') throw new Error('this platform has no global WebSocket');
      const socket = new globalThis.WebSocket(url, protocolsOf(details, auth));
      const binaryType = str(details.binaryType);
      if (binaryType === 'blob' || binaryType === 'arraybuffer') socket.binaryType = binaryType;
      return openedOrDiscarded(socket, whenOpen(socket, `the WebSocket to ${str(details.url)}`), (opened) => opened.close());
    },
  });

  // net.Socket: class `Socket` with setNoDelay/setKeepAlive/connect (a dgram Socket has none of the first two).
  registerReconnector('net.Socket', {
    test: (value) => className(value) === 'Socket' && hasMethods(value, 'setNoDelay', 'setKeepAlive', 'connect', 'address'),
    capture(socket: object): ReconnectorDetails {
      const record = socket as Record_;
      if (record.server) {
        throw new Error('a net.Socket a server accepted cannot be reconnected from the other side: keep it where the server runs');
      }
      const host = str(record.remoteAddress) ?? str(record._host);
      const port = num(record.remotePort);
      if (host === undefined || port === undefined) {
        throw new Error('only a net.Socket connected to a TCP host and port can be captured (not one still connecting, closed, or on a local socket path)');
      }
      const family = record.remoteFamily === 'IPv6' ? 6 : record.remoteFamily === 'IPv4' ? 4 : undefined;
      return compact({ host, port, family, encoding: str(record.readableEncoding) });
    },
    async reconnect(details) {
      type Listener = (...args: unknown[]) => void;
      type Socket = {
        setEncoding(encoding: string): unknown;
        destroy(): void;
        once(event: string, listener: Listener): unknown;
        removeListener(event: string, listener: Listener): unknown;
      };
      const connect = await driverExport<(options: Record_) => Socket>('node:net', 'connect', 'net.Socket');
      const socket = connect(compact({ host: str(details.host), port: num(details.port), family: num(details.family) }));
      await openedOrDiscarded(socket, whenEmitted(socket, 'connect'), (opened) => opened.destroy());
      const encoding = str(details.encoding);
      if (encoding) socket.setEncoding(encoding);
      return socket;
    },
  });

  // fs.FileHandle: class `FileHandle` with a numeric `fd` and read/write/readFile/stat/close. Node does not
  // expose a handle's path or flags, so capture reads them from /proc (Linux).
  registerReconnector('fs.FileHandle', {
    test: (value) => className(value) === 'FileHandle' && typeof (value as Record_).fd === 'number'
      && hasMethods(value, 'read', 'write', 'readFile', 'stat', 'close'),
    capture(handle: object): ReconnectorDetails {
      const fd = (handle as Record_).fd as number;
      if (fd < 0) throw new Error('a closed FileHandle cannot be captured');
      const fs = nodeFs();
      let path: string;
      let info: string;
      try {
        if (fs === undefined) throw new Error('process.getBuiltinModule is missing (Node ≥ 20.16)');
        path = fs.readlinkSync(`/proc/self/fd/${fd}`);
        info = fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8');
      } catch (error) {
        throw new Error(`a FileHandle's path is read from /proc/self/fd, which failed here (${error instanceof Error ? error.message : String(error)}): ` +
          'send the file path instead and open it in the worker', { cause: error });
      }
      if (path.endsWith(' (deleted)') || !path.startsWith('/')) throw new Error(`the FileHandle's file is not reachable by path (${path})`);
      const flags = Number.parseInt(/^flags:\s*([0-7]+)/m.exec(info)?.[1] ?? '0', 8);
      const access = flags & O_ACCMODE;
      return {
        path,
        access: access === 0 ? 'read' : access === 1 ? 'write' : 'readwrite',
        append: (flags & O_APPEND) !== 0,
        sync: (flags & O_SYNC) === O_SYNC,
        dsync: (flags & O_DSYNC) !== 0,
        position: Number.parseInt(/^pos:\s*(\d+)/m.exec(info)?.[1] ?? '0', 10),
      };
    },
    async reconnect(details) {
      const open = await driverExport<(path: string, flags: number) => Promise<unknown>>('node:fs/promises', 'open', 'fs.FileHandle');
      const { constants } = await driverExport<{ constants: Record<string, number> }>('node:fs', 'default', 'fs.FileHandle');
      const access = details.access === 'write' ? constants.O_WRONLY! : details.access === 'readwrite' ? constants.O_RDWR! : constants.O_RDONLY!;
      // Never O_CREAT / O_TRUNC: the same file, as it is now. The position starts at 0 (Node has no lseek).
      const flags = access | (details.append === true ? constants.O_APPEND! : 0)
        | (details.sync === true ? constants.O_SYNC ?? 0 : details.dsync === true ? constants.O_DSYNC ?? 0 : 0);
      const path = str(details.path);
      if (path === undefined) throw new Error('the details name no path');
      return open(path, flags);
    },
  });

  // BroadcastChannel: an instance of the platform's global BroadcastChannel (browsers, Node).
  registerReconnector('BroadcastChannel', {
    test: (value) => typeof globalThis.BroadcastChannel === 'function' && value instanceof globalThis.BroadcastChannel,
    capture: (channel: BroadcastChannel) => ({ name: channel.name }),
    reconnect(details) {
      const name = str(details.name);
      if (name === undefined) throw new Error('the details name no channel');
      return new globalThis.BroadcastChannel(name);
    },
  });
}
