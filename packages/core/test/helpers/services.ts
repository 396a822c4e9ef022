// Whether the PostgreSQL and Redis servers the Reconnector tests use are there, said once.
import { Redis } from 'ioredis';
import pg from 'pg';
import { services } from '../reconnect-env.ts';

type Service = keyof typeof services;

/**
 * Rejects, naming every server in `which` that does not answer and how to start it. Call it from
 * the `beforeAll` of the describe whose tests need those servers: a missing server is then ONE
 * failure of that describe (its tests are reported as not run because of it), instead of every
 * test failing on its own connection error.
 */
export async function requireServices(...which: Service[]): Promise<void> {
  const problems = (await Promise.all(which.map(problemWith))).filter((problem) => problem !== null);
  if (problems.length === 0) return;
  throw new Error(
    `The Reconnector tests need real servers on loopback; ${problems.length === 1 ? 'this one is' : 'these are'} missing (or refused the test login):\n` +
    problems.map((problem) => `  - ${problem}\n`).join('') +
    'Start them with `bash scripts/services.sh start` (installs PostgreSQL and Redis with root or sudo if absent; ' +
    '`bash scripts/services.sh stop` stops what it started), or point the tests at your own servers with ' +
    'SK_PG_HOST, SK_PG_PORT, SK_PG_USER, SK_PG_PASSWORD, SK_PG_DATABASE and SK_REDIS_HOST, SK_REDIS_PORT, SK_REDIS_PASSWORD.',
  );
}

/** Logs in once, as the tests will: null when that works, else what is wrong, for the message. */
async function problemWith(name: Service): Promise<string | null> {
  const where = `${services[name].host}:${services[name].port}`;
  try {
    await (name === 'pg' ? logInToPostgres() : pingRedis());
    return null;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return name === 'pg'
      ? `PostgreSQL at ${where} (user ${services.pg.user}, database ${services.pg.database}): ${why}`
      : `Redis at ${where}: ${why}`;
  }
}

async function logInToPostgres(): Promise<void> {
  const client = new pg.Client({ ...services.pg, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
  } finally {
    await client.end().catch(() => {});
  }
}

async function pingRedis(): Promise<void> {
  const { host, port, password } = services.redis;
  const client = new Redis({
    host, port, password, lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false,
  });
  // ioredis rejects with "Connection is closed."; what went wrong arrives as an 'error' event.
  let cause: unknown;
  client.on('error', (error: unknown) => { cause = error; });
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    throw cause ?? error;
  } finally {
    client.disconnect();
  }
}
