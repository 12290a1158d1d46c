import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import type { Readable } from 'node:stream';

import type pino from 'pino';

import { assertPortFree } from '../lib/ports';
import { HARAKA_SHUTDOWN_SECONDS, harakaPackageDir } from './haraka-config';

/** Options for {@link startHaraka}. */
export interface StartHarakaOptions {
  /** Folder written by `writeHarakaConfig`. */
  configDir: string;
  /** Address and port Haraka listens on, as written in its `smtp.ini`. */
  host: string;
  port: number;
  /** The child's whole environment; the plugin reads its settings from it. */
  env: NodeJS.ProcessEnv;
  logger: pino.Logger;
  /** How long to wait for the port to accept connections. @default 20000 */
  startTimeoutMs?: number;
  /** How long to wait after SIGINT before SIGKILL. @default Haraka's own limit + 5 s */
  stopTimeoutMs?: number;
}

/** A running Haraka child process. */
export interface HarakaProcess {
  readonly pid: number;
  /** Resolves when the child has exited, whatever the reason. */
  readonly exited: Promise<ChildExit>;
  /** Stops Haraka gracefully (SIGINT), killing it if it does not exit in time. */
  stop(): Promise<void>;
}

/** How the child ended. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

type PinoLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

const LAST_LINES_KEPT = 20;
const POLL_INTERVAL_MS = 100;

// Haraka's INFO and NOTICE lines from its core carry full envelope addresses; they go
// to debug, where addresses are allowed. The plugin's own lines keep their level.
const CORE_LEVELS: Readonly<Record<string, PinoLevel>> = {
  DATA: 'trace',
  PROTOCOL: 'trace',
  DEBUG: 'debug',
  INFO: 'debug',
  NOTICE: 'debug',
  WARN: 'warn',
  ERROR: 'error',
  CRIT: 'error',
  ALERT: 'error',
  EMERG: 'error',
};
const PLUGIN_LEVELS: Readonly<Record<string, PinoLevel>> = {
  ...CORE_LEVELS,
  INFO: 'info',
  NOTICE: 'info',
};
const PLUGIN_ORIGIN = 'dustmail';

interface HarakaLogRecord {
  level?: unknown;
  uuid?: unknown;
  origin?: unknown;
  message?: unknown;
  [field: string]: unknown;
}

/** Turns Haraka's `uuid` (`<connection>` or `<connection>.<transaction>`) into our ids. */
function correlation(uuid: unknown): { connId?: string; txnId?: number } {
  if (typeof uuid !== 'string' || uuid === '-') return {};
  const [connId, txn] = uuid.split('.');
  return txn === undefined ? { connId } : { connId, txnId: Number(txn) };
}

function relayLine(logger: pino.Logger, line: string, stream: 'stdout' | 'stderr'): void {
  let record: HarakaLogRecord | undefined;
  try {
    const parsed: unknown = JSON.parse(line);
    if (parsed !== null && typeof parsed === 'object') record = parsed as HarakaLogRecord;
  } catch {
    record = undefined;
  }
  if (!record) {
    // Start-up chatter from Haraka's libraries on stdout; anything on stderr is a fault.
    logger[stream === 'stderr' ? 'warn' : 'debug']({ stream, line }, 'haraka output');
    return;
  }

  // Haraka's `msg` field holds an SMTP reply; pino keeps its message under that name.
  const { level, uuid, origin, message, msg: reply, ...fields } = record;
  const levels = origin === PLUGIN_ORIGIN ? PLUGIN_LEVELS : CORE_LEVELS;
  const pinoLevel = (typeof level === 'string' && levels[level]) || 'info';
  const text = typeof message === 'string' && message !== '' ? message : 'haraka log';
  logger[pinoLevel]({ ...fields, reply, origin, ...correlation(uuid) }, text);
}

function harakaBin(): string {
  return path.join(harakaPackageDir(), 'bin', 'haraka');
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void promise.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Relays each output line to the logger and keeps the last few for error messages. */
function relayOutput(child: { stdout: Readable; stderr: Readable }, logger: pino.Logger): string[] {
  const lastLines: string[] = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    const lines = readline.createInterface({ input: child[stream], crlfDelay: Infinity });
    lines.on('line', (line) => {
      lastLines.push(line);
      if (lastLines.length > LAST_LINES_KEPT) lastLines.shift();
      relayLine(logger, line, stream);
    });
  }
  return lastLines;
}

/** Polls the port until Haraka accepts connections, exits, or runs out of time. */
async function waitUntilListening(
  host: string,
  port: number,
  exited: Promise<unknown>,
  deadline: number,
): Promise<'listening' | 'exited' | 'timeout'> {
  while (!(await canConnect(host, port))) {
    if (await settlesWithin(exited, POLL_INTERVAL_MS)) return 'exited';
    if (Date.now() > deadline) return 'timeout';
  }
  return 'listening';
}

/**
 * Starts Haraka as a child process with the given config folder and resolves once its
 * port accepts connections. Its log lines are relayed to the logger (component `smtp`).
 */
export async function startHaraka(options: StartHarakaOptions): Promise<HarakaProcess> {
  const { configDir, host, port } = options;
  const given = options.logger;
  const logger =
    given.bindings()['component'] === 'smtp' ? given : given.child({ component: 'smtp' });
  const startTimeoutMs = options.startTimeoutMs ?? 20_000;
  const stopTimeoutMs = options.stopTimeoutMs ?? (HARAKA_SHUTDOWN_SECONDS + 5) * 1000;

  // Fails fast when something else holds the port, before Haraka hides why.
  await assertPortFree('SMTP', host, port);

  // bin/haraka expects `-c <dir>` as its first two arguments. A process group of its own
  // keeps a terminal's Ctrl-C from reaching Haraka directly: the parent stops it in order.
  const child = spawn(process.execPath, [harakaBin(), '-c', configDir], {
    cwd: configDir,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const { pid } = child;
  if (pid === undefined) {
    const err = await new Promise<unknown>((resolve) => child.once('error', resolve));
    throw new Error('Haraka could not be started', { cause: err });
  }
  const lastLines = relayOutput(child, logger);

  let phase: 'starting' | 'running' | 'stopping' | 'exited' = 'starting';
  // A parent that exits without calling stop() must not leave Haraka holding the port.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);
  // 'close' rather than 'exit': by then the last output lines have been read.
  const exited = new Promise<ChildExit>((resolve) => {
    child.once('close', (code, signal) => {
      process.off('exit', killOnExit);
      if (phase === 'running') logger.error({ childPid: pid, code, signal }, 'smtp server exited');
      phase = 'exited';
      resolve({ code, signal });
    });
  });

  const outcome = await waitUntilListening(host, port, exited, Date.now() + startTimeoutMs);
  if (outcome !== 'listening') {
    child.kill('SIGKILL');
    await exited;
    const reason =
      outcome === 'exited'
        ? 'Haraka exited during start-up'
        : `Haraka did not listen on ${host}:${port} within ${startTimeoutMs} ms`;
    throw new Error(`${reason}; last output:\n${lastLines.join('\n')}`);
  }
  phase = 'running';
  logger.debug({ childPid: pid, host, port }, 'smtp server listening');

  return {
    pid,
    exited,
    async stop() {
      if (phase === 'exited') return;
      phase = 'stopping';
      child.kill('SIGINT');
      if (await settlesWithin(exited, stopTimeoutMs)) return;
      logger.warn({ childPid: pid, stopTimeoutMs }, 'smtp server ignored SIGINT; killing it');
      child.kill('SIGKILL');
      await exited;
    },
  };
}
