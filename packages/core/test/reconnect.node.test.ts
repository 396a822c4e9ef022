// Live resources as Reconnectors, against real servers on loopback (no mocks): PostgreSQL and Redis
// from `bash scripts/services.sh start`, and a ws server, a net server and files this test makes itself.
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serialize as v8Serialize } from 'node:v8';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createClient } from 'redis';
import { WebSocket, WebSocketServer } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Reconnector, ReconnectError, cucumber } from '@suitkaise/core';
import { caught } from './helpers/caught.ts';
import { rejection } from './helpers/rejection.ts';
import { requireServices } from './helpers/services.ts';
import { services } from './reconnect-env.ts';

/**
 * serialize → one structured clone (what postMessage does) → deserialize; and the bytes that
 * crossed: the envelope as postMessage encodes it, plus cucumber's own byte form.
 */
function send<T>(value: T): { back: T; bytes: Buffer } {
  const sent = structuredClone(cucumber.serialize(value));
  const bytes = Buffer.concat([v8Serialize(sent), cucumber.serialize(value, { bytes: true })]);
  return { back: cucumber.deserialize(sent) as T, bytes };
}

/** The secret appears nowhere: not in the bytes that crossed (one- or two-byte strings), not in the Reconnector. */
function expectNoSecret(bytes: Buffer, reconnector: Reconnector, ...secrets: string[]): void {
  const json = JSON.stringify(reconnector);
  for (const secret of secrets) {
    expect(bytes.includes(Buffer.from(secret, 'latin1'))).toBe(false);
    expect(bytes.includes(Buffer.from(secret, 'utf16le'))).toBe(false);
    expect(json).not.toContain(secret);
  }
}

/** Sends `{ [field]: resource }` and returns the Reconnector that arrived, checked for secrets. */
function capture(field: string, resource: object, type: string, ...secrets: string[]): Reconnector {
  const { back, bytes } = send({ [field]: resource });
  const reconnector = back[field];
  expect(reconnector).toBeInstanceOf(Reconnector);
  expect((reconnector as Reconnector).type).toBe(type);
  expectNoSecret(bytes, reconnector as Reconnector, ...secrets);
  return reconnector as Reconnector;
}

const scratch = mkdtempSync(join(tmpdir(), 'sk-reconnect-'));
const cleanups: Array<() => unknown> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  rmSync(scratch, { recursive: true, force: true });
});
const later = <T>(resource: T, close: (resource: T) => unknown): T => {
  cleanups.push(() => close(resource));
  return resource;
};

const { pg: pgEnv, redis: redisEnv } = services;

// Both servers checked once: a missing one is one failure, saying what to do, not a failure per test.
describe('against PostgreSQL and Redis on loopback', () => {
  beforeAll(() => requireServices('pg', 'redis'));

  describe('Reconnector: PostgreSQL (pg)', () => {
    const config = { host: pgEnv.host, port: pgEnv.port, user: pgEnv.user, password: pgEnv.password, database: pgEnv.database };

    it('pg.Client: crosses with host/port/user/database and no password; reconnect(password) runs a query', async () => {
      const client = later(new pg.Client({ ...config, application_name: 'sk-reconnect' }), (c) => c.end());
      await client.connect();
      const reconnector = capture('db', client, 'pg.Client', pgEnv.password);
      expect(reconnector.details).toMatchObject({ host: pgEnv.host, port: pgEnv.port, user: pgEnv.user, database: pgEnv.database, application_name: 'sk-reconnect' });
      const again = later(await reconnector.reconnect(pgEnv.password) as pg.Client, (c) => c.end());
      expect(again).toBeInstanceOf(pg.Client);
      const { rows } = await again.query<{ answer: number; app: string }>("select 6 * 7 as answer, current_setting('application_name') as app");
      expect(rows[0]).toEqual({ answer: 42, app: 'sk-reconnect' });
    });

    it('pg.Client from a connection string: the URL password never crosses', async () => {
      const url = `postgres://${pgEnv.user}:${pgEnv.password}@${pgEnv.host}:${pgEnv.port}/${pgEnv.database}`;
      const client = later(new pg.Client({ connectionString: url }), (c) => c.end());
      await client.connect();
      const reconnector = capture('db', client, 'pg.Client', pgEnv.password);
      const again = later(await reconnector.reconnect({ password: pgEnv.password }) as pg.Client, (c) => c.end());
      expect((await again.query<{ db: string }>('select current_database() as db')).rows[0]!.db).toBe(pgEnv.database);
    });

    it('pg.Client with a wrong password rejects with a ReconnectError naming type and where, and no secret', async () => {
      const client = later(new pg.Client(config), (c) => c.end());
      await client.connect();
      const reconnector = capture('db', client, 'pg.Client', pgEnv.password);
      const error = await rejection(reconnector.reconnect('not-the-password'));
      expect(error).toBeInstanceOf(ReconnectError);
      expect((error as Error).message).toContain(`could not reconnect 'pg.Client' at ${pgEnv.host}:${pgEnv.port}/${pgEnv.database}: `);
      expect((error as Error).message).toMatch(/password/);
      expect((error as Error).message).not.toContain('not-the-password');
    });

    it('pg.Pool: crosses with its pool settings and no password; reconnect gives a working pool', async () => {
      const pool = later(new pg.Pool({ ...config, max: 3, idleTimeoutMillis: 5000 }), (p) => p.end());
      await pool.query('select 1');
      const reconnector = capture('pool', pool, 'pg.Pool', pgEnv.password);
      expect(reconnector.details).toMatchObject({ host: pgEnv.host, user: pgEnv.user, max: 3, idleTimeoutMillis: 5000 });
      const again = later(await reconnector.reconnect(pgEnv.password) as pg.Pool, (p) => p.end());
      expect(again).toBeInstanceOf(pg.Pool);
      const { rows } = await again.query<{ n: number }>('select count(*)::int as n from generate_series(1, 5)');
      expect(rows[0]!.n).toBe(5);
    });

    it("reconnectAll: '*' for every field, a per-field credential where given", async () => {
      const a = later(new pg.Client(config), (c) => c.end());
      const b = later(new pg.Client(config), (c) => c.end());
      await Promise.all([a.connect(), b.connect()]);
      const { back, bytes } = send({ mainDb: a, nested: { analyticsDb: b, again: a } });
      expectNoSecret(bytes, back.mainDb as unknown as Reconnector, pgEnv.password);

      // Right password only for analyticsDb: '*' (wrong) is used for mainDb, which fails, named.
      const partial = send({ mainDb: a, analyticsDb: b }).back;
      const failure = await rejection(cucumber.reconnectAll(partial, { 'pg.Client': { '*': 'wrong', analyticsDb: pgEnv.password } }));
      expect(failure).toBeInstanceOf(ReconnectError);
      expect((failure as Error).message).toContain("field 'mainDb'");
      expect(partial.analyticsDb).toBeInstanceOf(pg.Client); // the one that could reconnect is in place
      later(partial.analyticsDb, (c) => c.end());

      const result = await cucumber.reconnectAll(back, { 'pg.Client': { '*': pgEnv.password, analyticsDb: pgEnv.password } });
      expect(result).toBe(back);
      expect(back.mainDb).toBeInstanceOf(pg.Client);
      expect(back.nested.again).toBe(back.mainDb); // one resource, referenced twice, reconnected once
      later(back.mainDb, (c) => c.end());
      later(back.nested.analyticsDb, (c) => c.end());
      const [x, y] = await Promise.all([back.mainDb.query('select 1 as v'), back.nested.analyticsDb.query('select 2 as v')]);
      expect([x.rows[0].v, y.rows[0].v]).toEqual([1, 2]);
    });
  });

  describe('Reconnector: Redis (ioredis, node-redis)', () => {
    it('ioredis.Redis: crosses with host/port/db and no password; reconnect(password) runs commands', async () => {
      const client = later(new Redis({ host: redisEnv.host, port: redisEnv.port, password: redisEnv.password, db: 2, keyPrefix: 'sk:' }), (c) => c.disconnect());
      await client.set('ioredis-key', 'value-1');
      const reconnector = capture('cache', client, 'ioredis.Redis', redisEnv.password);
      expect(reconnector.details).toMatchObject({ host: redisEnv.host, port: redisEnv.port, db: 2, keyPrefix: 'sk:' });
      const again = later(await reconnector.reconnect(redisEnv.password) as Redis, (c) => c.disconnect());
      expect(await again.get('ioredis-key')).toBe('value-1');
      const counter = `ioredis-counter:${process.pid}:${Date.now()}`;
      expect(await again.incr(counter)).toBe(1);
      expect(await client.get(counter)).toBe('1'); // the same server, database and key prefix
      await client.del(counter);
    });

    it('ioredis.Redis with a wrong password rejects with a ReconnectError', async () => {
      const client = later(new Redis({ host: redisEnv.host, port: redisEnv.port, password: redisEnv.password }), (c) => c.disconnect());
      await client.ping();
      const reconnector = capture('cache', client, 'ioredis.Redis', redisEnv.password);
      await expect(reconnector.reconnect('wrong')).rejects.toThrow(/could not reconnect 'ioredis.Redis'.*(WRONGPASS|invalid|password)/i);
    });

    it('redis.Client (node-redis): the URL userinfo never crosses; reconnect(password) runs commands', async () => {
      const url = `redis://default:${redisEnv.password}@${redisEnv.host}:${redisEnv.port}/3`;
      const client = later(createClient({ url, name: 'sk-reconnect' }), (c) => c.destroy());
      client.on('error', () => {});
      await client.connect();
      await client.set('node-redis-key', 'value-2');
      const reconnector = capture('cache', client, 'redis.Client', redisEnv.password);
      expect(reconnector.details).toMatchObject({ url: `redis://${redisEnv.host}:${redisEnv.port}/3`, username: 'default', database: 3 });
      const again = later(await reconnector.reconnect(redisEnv.password) as typeof client, (c) => c.destroy());
      expect(await again.get('node-redis-key')).toBe('value-2');
      expect(await again.sendCommand(['CLIENT', 'GETNAME'])).toBe('sk-reconnect');
    });
  });
});

describe('Reconnector: better-sqlite3, ws, net, FileHandle', () => {
  it('better-sqlite3.Database: the same file, its rows readable after reconnect', async () => {
    const file = join(scratch, 'app.db');
    const db = later(new Database(file), (d) => d.close());
    db.exec("create table notes (id integer primary key, body text); insert into notes (body) values ('first'), ('second')");
    const reconnector = capture('store', db, 'better-sqlite3.Database');
    expect(reconnector.details).toEqual({ filename: file, memory: false, readonly: false });
    const again = later(await reconnector.reconnect() as Database.Database, (d) => d.close());
    expect(again.prepare('select body from notes order by id').pluck().all()).toEqual(['first', 'second']);
  });

  it('ws.WebSocket: the token in the URL query and the userinfo never cross; reconnect(token) echoes', async () => {
    const server = new WebSocketServer({
      host: '127.0.0.1', port: 0,
      verifyClient: ({ req }: { req: IncomingMessage }) => new URL(req.url ?? '', 'http://x').searchParams.get('token') === 'ws-secret-token',
    });
    later(server, (s) => new Promise((resolve) => { for (const c of s.clients) c.terminate(); s.close(resolve); }));
    await once(server, 'listening');
    server.on('connection', (socket) => socket.on('message', (data, binary) => socket.send(data, { binary })));
    const { port } = server.address() as AddressInfo;
    const socket = later(new WebSocket(`ws://alice:ws-user-secret@127.0.0.1:${port}/echo?room=7&token=ws-secret-token`), (s) => s.terminate());
    await once(socket, 'open');
    const reconnector = capture('feed', socket, 'ws.WebSocket', 'ws-secret-token', 'ws-user-secret');
    expect(reconnector.details).toMatchObject({ url: `ws://127.0.0.1:${port}/echo?room=7`, username: 'alice', removedParams: ['token'] });
    await expect(reconnector.reconnect()).rejects.toThrow(ReconnectError); // no token: the server refuses
    const again = later(await reconnector.reconnect('ws-secret-token') as WebSocket, (s) => s.terminate());
    const echoed = once(again, 'message');
    again.send('ping over ws');
    expect(String((await echoed)[0])).toBe('ping over ws');
  });

  it('net.Socket: to the same host and port; a socket a server accepted is refused with what to do', async () => {
    const accepted: Socket[] = [];
    const server: Server = later(createServer((s) => {
      accepted.push(s);
      s.pipe(s);
    }), (s) => new Promise((resolve) => { for (const a of accepted) a.destroy(); s.close(resolve); }));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const socket = later(connect(port, '127.0.0.1'), (s) => s.destroy());
    await once(socket, 'connect');
    const reconnector = capture('link', socket, 'net.Socket');
    expect(reconnector.details).toMatchObject({ host: '127.0.0.1', port, family: 4 });
    const again = later(await reconnector.reconnect() as Socket, (s) => s.destroy());
    again.setEncoding('utf8');
    const echoed = once(again, 'data');
    again.write('ping over tcp');
    expect((await echoed)[0]).toBe('ping over tcp');
    const refused = caught(() => cucumber.serialize({ peer: accepted[0] }));
    expect(refused.path).toBe('root.peer');
    expect((refused.cause as Error).message).toMatch(/a server accepted cannot be reconnected.*keep it where the server runs/);
  });

  it('fs.FileHandle: the same path and mode; reconnect reads (and appends to) the same file', async () => {
    const file = join(scratch, 'notes.txt');
    writeFileSync(file, 'hello from a file\n');
    const reader: FileHandle = later(await open(file, 'r'), (h) => h.close());
    const appender: FileHandle = later(await open(file, 'a'), (h) => h.close());
    const r = capture('reader', reader, 'fs.FileHandle');
    const a = capture('appender', appender, 'fs.FileHandle');
    expect(r.details).toMatchObject({ path: file, access: 'read', append: false });
    expect(a.details).toMatchObject({ path: file, access: 'write', append: true });
    const read = later(await r.reconnect() as FileHandle, (h) => h.close());
    expect(await read.readFile('utf8')).toBe('hello from a file\n');
    const append = later(await a.reconnect() as FileHandle, (h) => h.close());
    await append.write('appended\n');
    expect(await readFile(file, 'utf8')).toBe('hello from a file\nappended\n');
  });
});
