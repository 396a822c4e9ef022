// Where the Reconnector tests find their servers: PostgreSQL and Redis on loopback, started by
// `bash scripts/services.sh` (whose defaults these are). Override with the same SK_* variables.
// Node only (the fixtures' workers import it too, for the passwords).

function env(name: string, fallback: string): string {
  const value = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
  return value === undefined || value === '' ? fallback : value;
}

/** Connection settings of the test servers. */
export const services = {
  pg: {
    host: env('SK_PG_HOST', '127.0.0.1'),
    port: Number(env('SK_PG_PORT', '55432')),
    user: env('SK_PG_USER', 'suitkaise'),
    password: env('SK_PG_PASSWORD', 'suitkaise-pg-secret'),
    database: env('SK_PG_DATABASE', 'suitkaise_test'),
  },
  redis: {
    host: env('SK_REDIS_HOST', '127.0.0.1'),
    port: Number(env('SK_REDIS_PORT', '56379')),
    password: env('SK_REDIS_PASSWORD', 'suitkaise-redis-secret'),
  },
} as const;

const checks = new Map<string, Promise<void>>();

/**
 * Rejects with what to do when a server is not answering: the tests need real servers. Await it at
 * the start of each test (not in a beforeAll, which would report the tests as skipped): every test
 * that needs a missing server then FAILS with this message. Checked once per service.
 */
export async function requireServices(...which: Array<'pg' | 'redis'>): Promise<void> {
  for (const name of which) {
    let check = checks.get(name);
    if (check === undefined) {
      check = probe(name);
      checks.set(name, check);
    }
    await check;
  }
}

/** Connects once to the service's port. */
async function probe(name: 'pg' | 'redis'): Promise<void> {
  const { connect } = await import('node:net');
  const { host, port } = services[name];
  const label = name === 'pg' ? 'PostgreSQL' : 'Redis';
  await new Promise<void>((resolve, reject) => {
    const socket = connect({ host, port });
    const fail = (why: string): void => {
      socket.destroy();
      reject(new Error(`${label} is not answering on ${host}:${port} (${why}): run \`bash scripts/services.sh\` ` +
        '(it installs, with root or sudo, and starts PostgreSQL and Redis on loopback), or set the SK_* variables it prints'));
    };
    socket.setTimeout(2000, () => fail('timed out'));
    socket.once('error', (error) => fail(error.message));
    socket.once('connect', () => {
      socket.end();
      resolve();
    });
  });
}
