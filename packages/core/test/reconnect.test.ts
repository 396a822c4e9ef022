// Reconnectors without servers, in Node and in Chromium: BroadcastChannel, an app's own resource
// type through registerReconnector, how reconnectAll walks and picks auth, and @autoreconnect's
// run-time forms.
import { describe, expect, it } from 'vitest';
import { ReconnectError, Reconnector, autoreconnect, cucumber } from '@suitkaise/core';
import { autoreconnectOptionsOf, pendingAutoreconnect } from '../src/reconnect/index.ts';
import { caught } from './helpers/caught.ts';
import { crossed } from './helpers/crossed.ts';
import { rejection } from './helpers/rejection.ts';

/** A connection class the app does not own; `token` must never cross. */
class TestConnection {
  static opened: Array<{ host: string; password: string | undefined }> = [];
  constructor(public host: string, public token: string | undefined) {}
  static open(host: string, password: string | undefined): TestConnection {
    TestConnection.opened.push({ host, password });
    return new TestConnection(host, password);
  }
}
cucumber.registerReconnector('test.TestConnection', {
  // No test: matched by class name, the type's last segment.
  capture: (connection: TestConnection) => ({ host: connection.host }),
  reconnect: (details, auth) => TestConnection.open(String(details.host), auth?.password),
});

describe('BroadcastChannel', () => {
  it('crosses as a Reconnector and reconnects to the same channel: a message goes round', async () => {
    const name = `sk-reconnect-${Math.random().toString(36).slice(2)}`;
    const original = new BroadcastChannel(name);
    const back = crossed({ channel: original }).channel as unknown as Reconnector<BroadcastChannel>;
    expect(back).toBeInstanceOf(Reconnector);
    expect(back.type).toBe('BroadcastChannel');
    expect(back.details).toEqual({ name });
    const channel = await back.reconnect();
    try {
      expect(channel).toBeInstanceOf(BroadcastChannel);
      const received = new Promise<unknown>((resolve) => { original.onmessage = (event) => resolve(event.data); });
      channel.postMessage({ hello: 'round trip' });
      expect(await received).toEqual({ hello: 'round trip' });
    } finally {
      channel.close();
      original.close();
    }
  });
});

describe('registerReconnector and reconnectAll', () => {
  it('an app type crosses with capture() only, once per object, and the token never crosses', () => {
    const connection = new TestConnection('db.internal', 'top-secret-token');
    const sent = structuredClone(cucumber.serialize({ a: connection, list: [connection] }));
    expect(JSON.stringify(sent)).not.toContain('top-secret-token');
    const back = cucumber.deserialize(sent) as { a: Reconnector; list: Reconnector[] };
    expect(back.a).toBeInstanceOf(Reconnector);
    expect(back.a).toMatchObject({ type: 'test.TestConnection', details: { host: 'db.internal' } });
    expect(back.list[0]).toBe(back.a);
    // The byte form (shared memory, files) carries it the same way.
    const bytes = cucumber.serialize({ a: connection }, { bytes: true });
    expect(new TextDecoder().decode(bytes)).not.toContain('top-secret-token');
    expect((cucumber.deserialize(bytes) as { a: Reconnector }).a).toMatchObject({ type: 'test.TestConnection', details: { host: 'db.internal' } });
  });

  it("walks objects, arrays, Maps, Sets and class instances; '*' by default, a field's own auth where given", async () => {
    class Holder {
      constructor(public primary: TestConnection, public analytics: TestConnection) {}
    }
    cucumber.register(Holder, 'test:reconnect-holder');
    const c = (host: string): TestConnection => new TestConnection(host, 'secret');
    const shared = c('shared');
    const value = {
      holder: new Holder(c('primary'), c('analytics')),
      pool: [c('pool-0'), c('pool-1')],
      byName: new Map<unknown, unknown>([['analytics', c('map-analytics')], ['other', shared]]),
      members: new Set([c('set-member')]),
      again: shared,
    };
    (value as Record<string, unknown>).self = value; // cycles are fine
    const back = crossed(value);
    TestConnection.opened = [];
    const result = await cucumber.reconnectAll(back, { 'test.TestConnection': { '*': 'default-pw', analytics: 'analytics-pw', pool: 'pool-pw' } });
    expect(result).toBe(back);
    const { holder, pool, byName, members } = back;
    expect(holder).toBeInstanceOf(Holder);
    expect(holder.primary).toMatchObject({ host: 'primary', token: 'default-pw' });
    expect(holder.analytics).toMatchObject({ host: 'analytics', token: 'analytics-pw' });
    expect(pool.map((p) => p.token)).toEqual(['pool-pw', 'pool-pw']); // array members: the array's field
    expect(byName.get('analytics')).toMatchObject({ host: 'map-analytics', token: 'analytics-pw' }); // string Map keys are fields
    expect([...members][0]).toMatchObject({ host: 'set-member', token: 'default-pw' });
    expect(back.again).toBe(byName.get('other')); // one object, reconnected once
    expect(TestConnection.opened.filter((o) => o.host === 'shared')).toHaveLength(1);
    expect(TestConnection.opened).toHaveLength(7);
  });

  it('a Reconnector on its own, by hand or as the root of reconnectAll; a Reconnector crosses again as itself', async () => {
    const reconnector = crossed(new TestConnection('solo', 'x')) as unknown as Reconnector<TestConnection>;
    const again = crossed({ r: reconnector }).r;
    expect(again).toBeInstanceOf(Reconnector);
    expect(again.details).toEqual({ host: 'solo' });
    await expect(reconnector.reconnect('by-hand')).resolves.toMatchObject({ host: 'solo', token: 'by-hand' });
    await expect(reconnector.reconnect({ password: 'as-object' })).resolves.toMatchObject({ token: 'as-object' });
    await expect(cucumber.reconnectAll(again, { 'test.TestConnection': { '*': 'root' } })).resolves.toMatchObject({ token: 'root' });
  });

  it('an unregistered type, or a reconnect that throws, rejects with a ReconnectError naming type and field', async () => {
    const orphan = new Reconnector('nobody.Client', { host: 'h' });
    await expect(orphan.reconnect()).rejects.toThrow(/no reconnector is registered for 'nobody.Client' in this thread/);
    cucumber.registerReconnector('test.Failing', {
      test: () => false,
      capture: () => ({}),
      reconnect: () => { throw new Error('refused by the server'); },
    });
    const value = { cache: new Reconnector('test.Failing', { host: 'cache.local', port: 1 }), orphan };
    const error = await rejection(cucumber.reconnectAll(value));
    expect(error).toBeInstanceOf(ReconnectError);
    expect((error as Error).message).toContain("could not reconnect 'test.Failing' (field 'cache') at cache.local:1: refused by the server");
    expect((error as Error).message).toContain("no reconnector is registered for 'nobody.Client' in this thread (field 'orphan')");
  });

  it('a capture that refuses an object is a SerializationError at its path', () => {
    class Unsendable {}
    cucumber.registerReconnector('test.Unsendable', {
      capture: () => { throw new Error('open it in the worker instead'); },
      reconnect: () => null,
    });
    const error = caught(() => cucumber.serialize({ deep: [new Unsendable()] }));
    expect(error.path).toBe('root.deep[0]');
    expect((error.cause as Error).message).toBe('open it in the worker instead');
  });

  it('rejects malformed registrations and credentials with TypeErrors that say what is expected', async () => {
    expect(() => cucumber.registerReconnector('', { capture: () => ({}), reconnect: () => null })).toThrow(/non-empty string/);
    expect(() => cucumber.registerReconnector('x', { capture: () => ({}) } as never)).toThrow(/capture\(value\) and reconnect\(details, auth\)/);
    const reconnector = new Reconnector('test.TestConnection', { host: 'h' });
    await expect(reconnector.reconnect(42 as never)).rejects.toThrow(/a credential must be a string \(the password\) or an object/);
  });
});

describe('autoreconnect at run time', () => {
  class Base {}
  class Sub extends Base {}

  it('autoreconnect(Class, options) stores the options for the class and its subclasses', () => {
    expect(autoreconnect(Base, { startThreads: true, 'pg.Client': { '*': 'pw' } })).toBe(Base);
    expect(autoreconnectOptionsOf(Sub)).toEqual({ startThreads: true, 'pg.Client': { '*': 'pw' } });
    expect(autoreconnectOptionsOf(class Other {})).toBeUndefined();
    expect(pendingAutoreconnect(new Sub())).toBeTypeOf('function');
    expect(pendingAutoreconnect({})).toBeUndefined();
  });

  it('reached as a decorator (the transform did not run), it says so', () => {
    const context = { kind: 'class', name: 'X', addInitializer: () => {}, metadata: {} } as unknown as ClassDecoratorContext<typeof Base>;
    expect(() => autoreconnect({ 'pg.Client': { '*': 'pw' } })(Base, context)).toThrow(/the suitkaise transform did not process this module/);
    expect(() => (autoreconnect as unknown as (c: unknown, x: unknown) => unknown)(Base, context)).toThrow(/transform did not process/);
  });

  it('malformed options are TypeErrors naming the key', () => {
    expect(() => autoreconnect(Base, { startThreads: 'yes' } as never)).toThrow(/options.startThreads must be a boolean/);
    expect(() => autoreconnect(Base, { 'pg.Client': 'pw' } as never)).toThrow(/options\['pg.Client'\] must map field names/);
    expect(() => autoreconnect(Base, { 'pg.Client': { '*': 42 } } as never)).toThrow(/options\['pg.Client'\]\['\*'\] must be a password string/);
  });
});
