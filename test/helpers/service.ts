import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { Client } from 'pg';

import { runningEmbeddedUrl } from '../../src/db/embedded';
import { createTestDatabase, type TestDatabase } from './database';

const REPO = path.resolve(__dirname, '../..');
const BIN = path.join(REPO, 'bin/dustmail.js');
const START_TIMEOUT_MS = 45_000;

/** A DustMail started as `npm start` starts it, on free ports with its own data. */
export interface TestService {
  httpUrl: string;
  httpPort: number;
  smtpPort: number;
  env: NodeJS.ProcessEnv;
  dataDir: string;
  child: ChildProcess;
  /** Everything the service printed so far. */
  output(): string;
  /** The pid of the Haraka child, from the service's start-up line. */
  harakaPid(): number;
  /** Runs one SQL statement on the service's own database and returns its rows. */
  sql<T extends object = Record<string, unknown>>(text: string, values?: unknown[]): Promise<T[]>;
  /** Runs the CLI against the same database and parses its JSON output. */
  cli<T = unknown>(...args: string[]): Promise<T>;
  /** A new account with its API key. */
  createAccount(plan: 'free' | 'premium', email?: string): Promise<string>;
  /** Stops the service with SIGTERM and removes its data. */
  stop(): Promise<void>;
  /** Settles when the service process exits. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Signals every process of the service's group, as a terminal's Ctrl-C does. */
  signalGroup(signal: NodeJS.Signals): void;
  /** Sends a signal and waits for the service process to exit; keeps its data. */
  kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Asks the OS for a free port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(),
      );
    });
  });
}

function waitForLine(child: ChildProcess, output: () => string, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`service did not start in time:\n${output()}`)),
      START_TIMEOUT_MS,
    );
    const check = (): void => {
      if (!pattern.test(output())) return;
      clearTimeout(timer);
      resolve();
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`service exited with ${code}:\n${output()}`));
    });
  });
}

let accountSeq = 0;

interface Resources {
  env: NodeJS.ProcessEnv;
  dataDir: string;
  httpPort: number;
  smtpPort: number;
  database?: TestDatabase;
}

async function newResources(extraEnv: NodeJS.ProcessEnv): Promise<Resources> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'dustmail-test-'));
  const serverUrl = process.env['DATABASE_URL'];
  const database = serverUrl ? await createTestDatabase(serverUrl) : undefined;
  const [httpPort, smtpPort] = [await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    DUSTMAIL_DATA_DIR: dataDir,
    HTTP_PORT: String(httpPort),
    SMTP_PORT: String(smtpPort),
    LOG_LEVEL: 'info',
    ...(database ? { DATABASE_URL: database.url } : {}),
    ...extraEnv,
  };
  return { env, dataDir, httpPort, smtpPort, database };
}

const resourcesOf = new WeakMap<TestService, Resources>();

/**
 * Starts `dustmail serve` in a child process. With DATABASE_URL set it uses a fresh database
 * on that server; otherwise the embedded PostgreSQL in a temporary data folder. Given an
 * earlier service that has exited, it starts again on the same ports, data and database.
 */
export async function startService(
  extraEnv: NodeJS.ProcessEnv = {},
  restartOf?: TestService,
): Promise<TestService> {
  const earlier = restartOf && resourcesOf.get(restartOf);
  const resources = earlier ?? (await newResources(extraEnv));
  const { env, dataDir, httpPort, smtpPort, database } = resources;
  // A process group of its own, as a shell gives a command: a test can signal the whole
  // group the way a terminal's Ctrl-C does.
  const child = spawn(process.execPath, [BIN, 'serve'], { cwd: REPO, env, detached: true });
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const output = (): string => text;

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );

  await waitForLine(child, output, /"msg":"SMTP listening"/);

  const cli = async <T>(...args: string[]): Promise<T> => {
    const { stdout } = await promisify(execFile)(process.execPath, [BIN, ...args], {
      cwd: REPO,
      env: { ...env, LOG_LEVEL: 'error' },
    });
    return JSON.parse(stdout) as T;
  };

  const service: TestService = {
    httpUrl: `http://127.0.0.1:${httpPort}`,
    httpPort,
    smtpPort,
    env,
    dataDir,
    child,
    output,
    cli,
    sql: async <T extends object>(text: string, values: unknown[] = []) => {
      const url = env['DATABASE_URL'] ?? (await runningEmbeddedUrl(dataDir));
      if (!url) throw new Error('the service database is not reachable');
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query<T>(text, values)).rows;
      } finally {
        await client.end();
      }
    },
    createAccount: async (plan, email) => {
      accountSeq += 1;
      const address = email ?? `user${accountSeq}.${process.pid}.${Date.now()}@example.test`;
      const result = await cli<{ api_key: { key: string } }>(
        'account',
        'create',
        '--email',
        address,
        '--plan',
        plan,
      );
      return result.api_key.key;
    },
    exited,
    signalGroup: (signal) => {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    },
    harakaPid: () => {
      const line = text.split('\n').find((l) => l.includes('"msg":"SMTP listening"'));
      const pid = line ? (JSON.parse(line) as { childPid?: number }).childPid : undefined;
      if (!pid) throw new Error(`no SMTP start-up line in:\n${text}`);
      return pid;
    },
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      await database?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  resourcesOf.set(service, resources);
  return service;
}
