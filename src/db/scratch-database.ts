import { randomBytes } from 'node:crypto';

import { Client } from 'pg';

const ADMIN_TIMEOUT_MS = 15_000;

/** A throwaway database for one test file or benchmark run, on a server it is given. */
export interface ScratchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** Runs one statement through the server's maintenance database `postgres`. */
async function runAsAdmin(serverUrl: string, sql: string): Promise<void> {
  const admin = new URL(serverUrl);
  admin.pathname = '/postgres';
  const client = new Client({
    connectionString: admin.toString(),
    connectionTimeoutMillis: ADMIN_TIMEOUT_MS,
    query_timeout: ADMIN_TIMEOUT_MS,
  });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Creates an empty database beside the one in `serverUrl`, named `<prefix>_<random>`.
 * The caller drops it when done.
 */
export async function createScratchDatabase(
  serverUrl: string,
  prefix: string,
): Promise<ScratchDatabase> {
  // Random hex after a fixed prefix, so the name needs no quoting beyond the double quotes.
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await runAsAdmin(serverUrl, `create database "${name}"`);

  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => runAsAdmin(serverUrl, `drop database if exists "${name}" with (force)`),
  };
}
