import type { ChildProcessByStdio } from 'node:child_process';
import readline from 'node:readline';
import type { Readable } from 'node:stream';

/** pino's numeric level for `warn`; higher numbers are worse. */
const PINO_WARN = 40;
const TAIL_LINES_KEPT = 40;
const PROBLEM_TEXT_CHARS = 160;

/** The line `dustmail serve` prints once both HTTP and SMTP accept connections. */
const READY_MESSAGE = 'SMTP listening';

/** What the service printed, kept for the report and for error messages. */
export interface ServiceLog {
  /** Warn-or-worse lines and anything on stderr, by text, with how often each appeared. */
  readonly problems: Map<string, number>;
  /** The last lines printed. */
  readonly tail: string[];
}

/** A running `dustmail serve` with its output piped to us. */
export type ServeProcess = ChildProcessByStdio<null, Readable, Readable>;

interface LogRecord {
  level?: unknown;
  msg?: unknown;
  childPid?: unknown;
  err?: { message?: unknown };
}

function parseRecord(line: string): LogRecord | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return value !== null && typeof value === 'object' ? (value as LogRecord) : undefined;
  } catch {
    return undefined;
  }
}

/** A problem's text: the fixed message plus the error's own, which tells causes apart. */
function problemText(record: LogRecord): string {
  const message = typeof record.msg === 'string' ? record.msg : 'log line without msg';
  const cause = record.err?.message;
  const text = typeof cause === 'string' ? `${message}: ${cause}` : message;
  return text.slice(0, PROBLEM_TEXT_CHARS);
}

function count(problems: Map<string, number>, text: string): void {
  problems.set(text, (problems.get(text) ?? 0) + 1);
}

/**
 * Reads the service's JSON log lines as they come. `ready` resolves with the Haraka process
 * id (`childPid`) of the "SMTP listening" line, and rejects if the service exits before it.
 */
export function watchServiceOutput(child: ServeProcess): {
  log: ServiceLog;
  ready: Promise<number | undefined>;
} {
  const log: ServiceLog = { problems: new Map(), tail: [] };
  let announceReady: (harakaPid: number | undefined) => void = () => undefined;
  let failStart: (err: Error) => void = () => undefined;
  const ready = new Promise<number | undefined>((resolve, reject) => {
    announceReady = resolve;
    failStart = reject;
  });

  const keep = (line: string): void => {
    log.tail.push(line);
    if (log.tail.length > TAIL_LINES_KEPT) log.tail.shift();
  };
  readline.createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => {
    keep(line);
    const record = parseRecord(line);
    if (!record) return;
    if (typeof record.level === 'number' && record.level >= PINO_WARN) {
      count(log.problems, problemText(record));
    }
    if (record.msg === READY_MESSAGE) {
      announceReady(typeof record.childPid === 'number' ? record.childPid : undefined);
    }
  });
  readline.createInterface({ input: child.stderr, crlfDelay: Infinity }).on('line', (line) => {
    keep(line);
    count(log.problems, `stderr: ${line.slice(0, PROBLEM_TEXT_CHARS)}`);
  });
  // 'close' rather than 'exit': by then the last lines have been read.
  child.once('close', (code, signal) => {
    const ending = `dustmail serve exited (code ${code}, signal ${signal}) before it was ready`;
    failStart(new Error(`${ending}; last output:\n${log.tail.join('\n')}`));
  });

  return { log, ready };
}
