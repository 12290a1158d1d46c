import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { freePort } from '../src/db/embedded';
import { createScratchDatabase } from '../src/db/scratch-database';
import { type ServeProcess, type ServiceLog, watchServiceOutput } from './service-log';
import { settlesWithin, type Teardown, within } from './teardown';

// Compiled, this file runs from dist/bench; the repository root is two folders up.
const REPO_DIR = path.resolve(__dirname, '../..');
const BIN = path.join(REPO_DIR, 'bin', 'dustmail.js');
const LOOPBACK = '127.0.0.1';

/** A first run creates the embedded database folder and applies every migration. */
const READY_TIMEOUT_MS = 90_000;
/** Haraka's own 10 s shutdown limit plus its supervisor's 5 s, plus PostgreSQL's stop. */
const STOP_TIMEOUT_MS = 30_000;
const CLI_TIMEOUT_MS = 60_000;
const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

/** Where and how to start the stack. */
export interface StackOptions {
  /** Server for a scratch database; the embedded PostgreSQL when unset. */
  databaseUrl: string | undefined;
  /** The benchmark's own environment; only PATH and HOME are passed on. */
  parentEnv: NodeJS.ProcessEnv;
}

/** A DustMail started for one run, as `npm start` starts it, on free loopback ports. */
export interface Stack {
  httpUrl: string;
  wsUrl: string;
  smtpHost: string;
  smtpPort: number;
  /** Which database the service uses, for the report. */
  database: string;
  /** Process ids to read memory from; Haraka's is missing if the log did not name it. */
  pids: { serve: number; haraka: number | undefined };
  log: ServiceLog;
  /** Runs `dustmail account create` with the service's env and returns the new API key. */
  createPremiumAccount(email: string, signal: AbortSignal): Promise<string>;
}

function isRunning(child: ServeProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

function killQuietly(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone: nothing is left to stop.
  }
}

async function postmasterPid(dataDir: string): Promise<number | undefined> {
  try {
    const text = await readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8');
    const pid = Number(text.split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Stops the service with SIGTERM, which it answers by stopping HTTP, Haraka and the database
 * in order. If it hangs, kills it and what it started, each by process id, and says so.
 */
async function stopService(
  child: ServeProcess,
  exited: Promise<void>,
  dataDir: string,
  harakaPid: () => number | undefined,
): Promise<void> {
  if (!isRunning(child)) return;
  child.kill('SIGTERM');
  if (await settlesWithin(exited, STOP_TIMEOUT_MS)) return;

  killQuietly(child.pid, 'SIGKILL');
  killQuietly(harakaPid(), 'SIGKILL');
  // SIGINT is PostgreSQL's fast shutdown; its owner is gone, so nobody else will send it.
  killQuietly(await postmasterPid(dataDir), 'SIGINT');
  throw new Error(`dustmail serve did not stop within ${STOP_TIMEOUT_MS} ms; it was killed`);
}

function spawnServe(env: NodeJS.ProcessEnv): ServeProcess {
  // A process group of its own keeps a terminal's Ctrl-C away from the service: the
  // benchmark stops it, in the service's own order, from its teardown.
  return spawn(process.execPath, [BIN, 'serve'], {
    cwd: REPO_DIR,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
}

/** Spawns the service and registers its stop before waiting for it to come up. */
async function startServe(env: NodeJS.ProcessEnv, dataDir: string, teardown: Teardown) {
  const child = spawnServe(env);
  const { pid } = child;
  if (pid === undefined) throw new Error(`could not start ${BIN}`);

  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A benchmark that exits without its teardown (a crash) still asks the service to stop.
  const stopOnExit = (): void => {
    if (isRunning(child)) child.kill('SIGTERM');
  };
  process.on('exit', stopOnExit);
  void exited.then(() => process.off('exit', stopOnExit));

  let harakaPid: number | undefined;
  teardown.add('dustmail serve', () => stopService(child, exited, dataDir, () => harakaPid));
  const { log, ready } = watchServiceOutput(child);
  const reported = ready.then((found) => {
    harakaPid = found;
  });
  return { pid, log, ready: reported, harakaPid: () => harakaPid };
}

/**
 * Starts `dustmail serve` with a fresh temporary data folder (and a scratch database when
 * a server URL is given) and waits for its "SMTP listening" line. Everything it makes is
 * registered on `teardown` as soon as it exists.
 */
export async function startStack(
  options: StackOptions,
  teardown: Teardown,
  signal: AbortSignal,
): Promise<Stack> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'dustmail-bench-'));
  teardown.add('data folder', () => rm(dataDir, { recursive: true, force: true }));
  const scratch = options.databaseUrl
    ? await createScratchDatabase(options.databaseUrl, 'dustmail_bench')
    : undefined;
  if (scratch) teardown.add('scratch database', scratch.drop);
  signal.throwIfAborted();

  const [httpPort, smtpPort] = [await freePort(LOOPBACK), await freePort(LOOPBACK)];
  const env: NodeJS.ProcessEnv = {
    PATH: options.parentEnv['PATH'],
    HOME: options.parentEnv['HOME'],
    DUSTMAIL_DATA_DIR: dataDir,
    HTTP_HOST: LOOPBACK,
    HTTP_PORT: String(httpPort),
    SMTP_HOST: LOOPBACK,
    SMTP_PORT: String(smtpPort),
    // As `npm start` runs it: the per-message log lines are part of the cost measured.
    LOG_LEVEL: 'info',
    // Room for the largest message of the memory run (25 MiB) and its MIME overhead.
    DUSTMAIL_MAX_MESSAGE_BYTES: String(MAX_MESSAGE_BYTES),
    ...(scratch ? { DATABASE_URL: scratch.url } : {}),
  };
  const serve = await startServe(env, dataDir, teardown);
  await within(serve.ready, READY_TIMEOUT_MS, 'waiting for "SMTP listening"', signal);

  return {
    httpUrl: `http://${LOOPBACK}:${httpPort}`,
    wsUrl: `ws://${LOOPBACK}:${httpPort}/graphql`,
    smtpHost: LOOPBACK,
    smtpPort,
    database: scratch ? `scratch database ${scratch.name}` : 'embedded PostgreSQL',
    pids: { serve: serve.pid, haraka: serve.harakaPid() },
    log: serve.log,
    createPremiumAccount: async (email, abort) => {
      const args = [BIN, 'account', 'create', '--email', email, '--plan', 'premium'];
      // The CLI logs to stdout too; at `error` its stdout is the JSON alone.
      const { stdout } = await promisify(execFile)(process.execPath, args, {
        cwd: REPO_DIR,
        env: { ...env, LOG_LEVEL: 'error' },
        timeout: CLI_TIMEOUT_MS,
        signal: abort,
      });
      const key = (JSON.parse(stdout) as { api_key?: { key?: unknown } }).api_key?.key;
      if (typeof key !== 'string') throw new Error(`account create printed no key:\n${stdout}`);
      return key;
    },
  };
}
