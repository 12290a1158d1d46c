import { Client } from 'pg';

/** Key of the advisory lock DustMail processes take while preparing a database. */
const STARTUP_LOCK_KEY = 0x64_75_73_74; // 'dust'
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Runs `work` while holding a PostgreSQL advisory lock, so processes that start together
 * (several API or SMTP processes, or the CLI beside a server) migrate and create the first
 * account one at a time. The lock is on a connection of its own and ends with it.
 */
export async function withStartupLock<T>(databaseUrl: string, work: () => Promise<T>): Promise<T> {
  const client = new Client({
    connectionString: databaseUrl,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [STARTUP_LOCK_KEY]);
    return await work();
  } finally {
    await client.end();
  }
}
