// @autoreconnect for real: processes whose fields hold a pg.Client and an ioredis client run in a
// worker; the clients cross as Reconnectors and are reconnected there before __prerun__.
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessError, Reconnector, cucumber } from '@suitkaise/core';
import { autoreconnectOptionsOf } from '../src/reconnect/index.ts';
import { PerField, Report } from './fixtures/reconnect-processes.ts';
import { rejection } from './helpers/rejection.ts';
import { requireServices } from './helpers/services.ts';
import { services } from './reconnect-env.ts';

const pgConfig = { ...services.pg };
const open: Array<{ end(): unknown }> = [];
async function pgClient(): Promise<pg.Client> {
  const client = new pg.Client(pgConfig);
  await client.connect();
  open.push(client);
  return client;
}

afterAll(async () => {
  for (const client of open) await client.end();
});

describe('@autoreconnect on an Skprocess', () => {
  it('the transform registered the options on the class', () => {
    expect(autoreconnectOptionsOf(Report)).toMatchObject({ startThreads: false, 'pg.Client': { '*': services.pg.password } });
  });

  it('the state sent to the worker holds Reconnectors and no password', () => {
    const cache = new Redis({ host: services.redis.host, port: services.redis.port, password: services.redis.password, lazyConnect: true });
    open.push({ end: () => cache.disconnect() });
    const db = new pg.Client(pgConfig);
    const sent = structuredClone(cucumber.serialize(new Report(db, cache, 'k')));
    const text = JSON.stringify(sent);
    expect(text).not.toContain(services.pg.password);
    expect(text).not.toContain(services.redis.password);
    const back = cucumber.deserialize(sent) as Report;
    expect(back.db).toBeInstanceOf(Reconnector);
    expect(back.alias).toBe(back.db);
  });
});

describe('@autoreconnect on an Skprocess, against PostgreSQL and Redis', () => {
  beforeAll(() => requireServices('pg', 'redis'));

  it('run(): the worker queries PostgreSQL and Redis through the reconnected clients', async () => {
    const db = await pgClient();
    const cache = new Redis({ host: services.redis.host, port: services.redis.port, password: services.redis.password });
    open.push({ end: () => cache.disconnect() });
    const key = `sk:report:${process.pid}:${Date.now()}`;
    await cache.set(key, 'from the parent');
    const result = await new Report(db, cache, key).run();
    expect(result).toEqual({
      pg: { answer: 42, user: services.pg.user, database: services.pg.database },
      redis: 'from the parent',
      counter: 1,
      fields: { db: 'Client', cache: 'function', sameDb: true },
    });
    expect(await cache.get(`${key}:runs`)).toBe('1');
    await cache.del(key, `${key}:runs`);
  });

  it("a field's own credential wins over '*'; a failed reconnection fails the process, naming the field", async () => {
    await expect(new PerField(await pgClient()).run()).resolves.toBe(1);
    const failed = await rejection(new PerField(await pgClient(), await pgClient()).run());
    expect(failed).toBeInstanceOf(ProcessError);
    expect((failed as Error).message).toMatch(/could not reconnect 'pg.Client' \(field 'mainDb'\)/);
    expect((failed as Error).message).not.toContain(services.pg.password);
  });
});
