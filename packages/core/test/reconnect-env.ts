// Where the Reconnector tests find their servers: PostgreSQL and Redis on loopback, started by
// `bash scripts/services.sh start` (whose defaults these are). Override with the same SK_* variables.
// Node only (the fixtures' workers import it too, for the passwords). helpers/services.ts checks them.

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
