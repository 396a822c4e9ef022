/**
 * Built-in reconnectors for database clients: pg (`Client`, `Pool`), ioredis,
 * node-redis and better-sqlite3. Detection is duck typing, by class name plus
 * members characteristic of the driver, so core never imports a driver to
 * recognise its objects; the driver is imported only to reconnect.
 *
 * Every capture is an allow-list of plain fields: host, port, database, user,
 * path, timeouts, flags. Passwords live in fields no capture reads (pg keeps
 * its password non-enumerable, the Redis clients in `options.password`), URLs
 * lose their userinfo, and TLS settings keep only `rejectUnauthorized` and
 * `servername`.
 */
import { registerReconnector } from './reconnector.ts';
import type { ReconnectCredentials, ReconnectorDetails } from './types.ts';
import {
  bool, className, compact, driverExport, extraOptions, hasMethods, num, openedOrDiscarded, pickPrimitives, safeUrl, str, tlsSetting,
} from './util.ts';

type Record_ = Record<string, unknown>;

/** pg's startup and client settings a connection is opened with (the password is never among them). */
const PG_SETTINGS = [
  'application_name', 'fallback_application_name', 'options', 'statement_timeout', 'lock_timeout',
  'idle_in_transaction_session_timeout', 'query_timeout', 'client_encoding', 'replication', 'binary',
] as const;

/** The password and the other credential entries, as a pg config. */
function pgAuth(auth: ReconnectCredentials | undefined): Record_ {
  const config = extraOptions(auth, ['username', 'password']);
  if (auth?.username !== undefined) config.user = auth.username;
  if (auth?.password !== undefined) config.password = auth.password;
  return config;
}

/** Settings ConnectionParameters stores as `false` when unset drop out. */
function pgSettings(source: unknown): ReconnectorDetails {
  const picked = pickPrimitives(source, PG_SETTINGS);
  for (const key of Object.keys(picked)) if (picked[key] === false && key !== 'binary') delete picked[key];
  return picked;
}

/** The Redis connection options both Redis clients name alike. */
const IOREDIS_OPTIONS = [
  'host', 'port', 'path', 'db', 'username', 'family', 'connectTimeout', 'commandTimeout', 'keepAlive', 'noDelay',
  'connectionName', 'keyPrefix', 'readOnly', 'stringNumbers', 'enableAutoPipelining', 'maxRetriesPerRequest',
  'enableReadyCheck', 'enableOfflineQueue', 'autoResubscribe', 'autoResendUnfulfilledCommands', 'lazyConnect',
] as const;

/** Fields of node-redis `socket` options worth keeping. */
const REDIS_SOCKET = ['host', 'port', 'path', 'connectTimeout', 'noDelay', 'keepAlive', 'family', 'servername', 'rejectUnauthorized'] as const;

/**
 * Register the database-client reconnectors (pg, ioredis, node-redis, better-sqlite3).
 * Called by the reconnect module's entry: an exported function, not an import for its side
 * effects, so bundlers honouring the package's `sideEffects` list keep it.
 */
export function registerDriverReconnectors(): void {
  // pg.Client: class `Client` with `connectionParameters` (pg's parsed config) and query/connect/end.
  registerReconnector('pg.Client', {
    test: (value) =>
      className(value) === 'Client' && hasMethods(value, 'query', 'connect', 'end')
      && typeof (value as Record_).connectionParameters === 'object',
    capture(client: object): ReconnectorDetails {
      const record = client as Record_;
      const params = record.connectionParameters as Record_;
      return compact({
        host: str(params.host),
        port: num(params.port),
        database: str(params.database),
        user: str(params.user),
        ssl: tlsSetting(record.ssl ?? params.ssl),
        connectionTimeoutMillis: num(record._connectionTimeoutMillis) || undefined,
        ...pgSettings(params),
      });
    },
    async reconnect(details, auth) {
      const Client = await driverExport<new (config: Record_) => { connect(): Promise<unknown> }>('pg', 'Client', 'pg.Client');
      const client = new Client({ ...details, ...pgAuth(auth) });
      await client.connect();
      return client;
    },
  });

  // pg.Pool: class `BoundPool` (what `new pg.Pool()` makes) or `Pool`, with `options`, `_clients`, `_idle` and connect/query/end.
  registerReconnector('pg.Pool', {
    test: (value) => {
      const record = value as Record_;
      return /^(Bound)?Pool$/.test(className(value)) && hasMethods(value, 'connect', 'query', 'end')
        && typeof record.options === 'object' && Array.isArray(record._clients) && Array.isArray(record._idle);
    },
    capture(pool: object): ReconnectorDetails {
      const options = (pool as Record_).options as Record_;
      const connection = typeof options.connectionString === 'string' ? safeUrl(options.connectionString) : undefined;
      return compact({
        connectionString: connection?.url,
        host: str(options.host),
        port: num(options.port) ?? (typeof options.port === 'string' ? Number(options.port) : undefined),
        database: str(options.database),
        user: str(options.user) ?? connection?.username,
        ssl: tlsSetting(options.ssl),
        ...pickPrimitives(options, [
          'max', 'min', 'idleTimeoutMillis', 'connectionTimeoutMillis', 'maxUses', 'allowExitOnIdle', 'maxLifetimeSeconds',
          'keepAlive', 'keepAliveInitialDelayMillis',
        ]),
        ...pgSettings(options),
      });
    },
    async reconnect(details, auth) {
      const Pool = await driverExport<new (config: Record_) => { query(sql: string): Promise<unknown> }>('pg', 'Pool', 'pg.Pool');
      // A pool connects lazily; it is ready as soon as it exists.
      return new Pool({ ...details, ...pgAuth(auth) });
    },
  });

  // ioredis.Redis: its prototype's `constructor` is EventEmitter (a mixin), so by members:
  // `options`, `connector`, `commandQueue`, `isCluster === false` and sendCommand/connect/disconnect.
  registerReconnector('ioredis.Redis', {
    test: (value) => {
      const record = value as Record_;
      return hasMethods(value, 'sendCommand', 'connect', 'disconnect', 'duplicate') && typeof record.options === 'object'
        && 'connector' in record && 'commandQueue' in record && record.isCluster === false;
    },
    capture(client: object): ReconnectorDetails {
      const options = (client as Record_).options as Record_;
      if (Array.isArray(options.sentinels) && options.sentinels.length > 0) {
        throw new Error('an ioredis client using Sentinel cannot be captured: create it in the worker instead');
      }
      return compact({ ...pickPrimitives(options, IOREDIS_OPTIONS), tls: tlsSetting(options.tls) });
    },
    async reconnect(details, auth) {
      type Listener = (error: unknown) => void;
      type Client = { connect(): Promise<unknown>; disconnect(): void; on(e: string, l: Listener): unknown; off(e: string, l: Listener): unknown };
      const Redis = await driverExport<new (options: Record_) => Client>('ioredis', 'Redis', 'ioredis.Redis');
      const lazy = details.lazyConnect === true;
      const client = new Redis({ ...details, ...extraOptions(auth, []), lazyConnect: true });
      if (lazy) return client;
      // Connect now, so a wrong password fails here rather than on the first command. connect()
      // rejects with "Connection is closed."; the 'error' event before it says why (WRONGPASS…).
      let reason: unknown;
      const remember: Listener = (error) => { reason ??= error; };
      client.on('error', remember);
      const connecting = client.connect().catch((error: unknown) => { throw reason ?? error; });
      return openedOrDiscarded(client, connecting, (opened) => opened.disconnect()).finally(() => client.off('error', remember));
    },
  });

  // redis.Client (node-redis `createClient()`): no class of its own on the instance's first
  // prototype, so by members: `options`, boolean `isOpen` / `isReady`, sendCommand/connect/duplicate/createPool.
  registerReconnector('redis.Client', {
    test: (value) => {
      const record = value as Record_;
      return hasMethods(value, 'sendCommand', 'connect', 'duplicate', 'createPool') && typeof record.options === 'object'
        && typeof record.isOpen === 'boolean' && typeof record.isReady === 'boolean';
    },
    capture(client: object): ReconnectorDetails {
      const options = (client as Record_).options as Record_;
      const url = typeof options.url === 'string' ? safeUrl(options.url) : undefined;
      const socket = options.socket as Record_ | undefined;
      const tls = socket?.tls;
      return compact({
        url: url?.url,
        username: str(options.username) ?? url?.username,
        database: num(options.database),
        name: str(options.name),
        RESP: num(options.RESP),
        readonly: bool(options.readonly),
        pingInterval: num(options.pingInterval),
        commandsQueueMaxLength: num(options.commandsQueueMaxLength),
        disableOfflineQueue: bool(options.disableOfflineQueue),
        socket: socket === undefined ? undefined : { ...pickPrimitives(socket, REDIS_SOCKET), ...(typeof tls === 'boolean' ? { tls } : tls ? { tls: true } : {}) },
      });
    },
    async reconnect(details, auth) {
      type Client = {
        connect(): Promise<unknown>;
        destroy(): void;
        on(event: string, listener: (error: unknown) => void): unknown;
        off(event: string, listener: (error: unknown) => void): unknown;
      };
      const createClient = await driverExport<(options: Record_) => Client>('redis', 'createClient', 'redis.Client');
      const extra = extraOptions(auth, []);
      const socket = { ...(details.socket as Record_ | undefined), ...(extra.socket as Record_ | undefined) };
      const client = createClient({ ...details, ...extra, socket });
      // node-redis also emits a failed connect as 'error', which with no listener is an uncaught
      // exception; the rejection of connect() reports it. Later errors are the app's to listen to.
      const quiet = (): void => {};
      client.on('error', quiet);
      return openedOrDiscarded(client, client.connect(), (opened) => opened.destroy()).finally(() => client.off('error', quiet));
    },
  });

  // better-sqlite3.Database: class `Database` with prepare/pragma/exec/transaction and
  // boolean `memory` / `readonly` and the file name in `name`.
  registerReconnector('better-sqlite3.Database', {
    test: (value) => {
      const record = value as Record_;
      return className(value) === 'Database' && hasMethods(value, 'prepare', 'pragma', 'exec', 'transaction')
        && typeof record.memory === 'boolean' && typeof record.readonly === 'boolean' && typeof record.name === 'string';
    },
    capture(db: object): ReconnectorDetails {
      const record = db as Record_;
      return { filename: record.name as string, memory: record.memory as boolean, readonly: record.readonly as boolean };
    },
    async reconnect(details, auth) {
      const Database = await driverExport<new (filename: string, options: Record_) => unknown>('better-sqlite3', 'default', 'better-sqlite3.Database');
      const filename = str(details.filename) ?? ':memory:';
      // The same file, never a new empty one in its place; a memory database comes back empty.
      const fileMustExist = details.memory !== true && filename !== '' && filename !== ':memory:';
      return new Database(filename, { readonly: details.readonly === true, fileMustExist, ...extraOptions(auth, ['username', 'password']) });
    },
  });
}
