import net from 'node:net';
import { performance } from 'node:perf_hooks';

import nodemailer from 'nodemailer';

const SENDER = 'DustMail bench <bench@example.test>';
/** Connect, greeting and idle limits per SMTP connection, so a stuck server ends the run. */
const SMTP_TIMEOUT_MS = 30_000;
const REPLY_TEXT_CHARS = 100;
const BODY_LINE = 'DustMail benchmark message body: plain ASCII in short lines, sent as 7bit.\n';

/** Where and what to send. */
export interface SenderOptions {
  host: string;
  port: number;
  /** Parallel SMTP connections in the pool. */
  connections: number;
  /** The one recipient of every message. */
  to: string;
  bodyBytes: number;
}

/** What one batch of sends came to. */
export interface SendOutcome {
  /** `performance.now()` when each message's 250 reply came back, by subject. */
  acceptedAt: Map<string, number>;
  /** Refusals and errors by reply (or error code), with how often each happened. */
  failures: Map<string, number>;
  /** From the first send to the last answer. */
  wallMs: number;
}

/** How nodemailer's `getSocket` option hands over a connected socket. */
type SocketCallback = (err: Error | null, socketOptions?: { connection: net.Socket }) => void;

/** A pool of SMTP connections that stay open across batches. */
export interface Sender {
  send(subjects: readonly string[], signal: AbortSignal): Promise<SendOutcome>;
  close(): void;
}

/** A body of exactly `bytes` bytes; lines stay under 78 characters (RFC 5322 §2.1.1). */
function messageBody(bytes: number): string {
  return BODY_LINE.repeat(Math.ceil(bytes / BODY_LINE.length)).slice(0, bytes);
}

function failureKey(err: unknown): string {
  const fields = (typeof err === 'object' && err !== null ? err : {}) as Record<string, unknown>;
  const { response, code, message } = fields;
  // SMTP replies carry their code in the text; our server's texts are fixed.
  if (typeof response === 'string') return response.slice(0, REPLY_TEXT_CHARS);
  const text = typeof message === 'string' ? message : String(err);
  return (typeof code === 'string' ? `${code} ${text}` : text).slice(0, REPLY_TEXT_CHARS);
}

/**
 * Opens each pooled connection ourselves to turn Nagle's algorithm off. nodemailer leaves it
 * on and writes the final `.` of DATA as a small segment of its own, which then waits for
 * the server's delayed ACK: about 40 ms per message, which would measure the client.
 */
function connectWithoutNagle(host: string, port: number) {
  return (_options: unknown, done: SocketCallback): void => {
    const socket = net.connect({ host, port, noDelay: true, timeout: SMTP_TIMEOUT_MS });
    const fail = (err: Error): void => {
      socket.destroy();
      done(err);
    };
    const onTimeout = (): void => fail(new Error(`no connection to ${host}:${port}`));
    socket.once('timeout', onTimeout);
    socket.once('error', fail);
    socket.once('connect', () => {
      // From here on the socket is nodemailer's, with its own timeouts and error handling.
      socket.off('timeout', onTimeout);
      socket.off('error', fail);
      socket.setTimeout(0);
      done(null, { connection: socket });
    });
  };
}

function count(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/**
 * A nodemailer pool of `connections` connections. Connections are kept for the whole run
 * (no `maxMessages` cap) so the figures measure message handling, not reconnects.
 */
export function createSender(options: SenderOptions): Sender {
  const transport = nodemailer.createTransport({
    pool: true,
    host: options.host,
    port: options.port,
    secure: false,
    ignoreTLS: true,
    maxConnections: options.connections,
    maxMessages: Infinity,
    connectionTimeout: SMTP_TIMEOUT_MS,
    greetingTimeout: SMTP_TIMEOUT_MS,
    socketTimeout: SMTP_TIMEOUT_MS,
    getSocket: connectWithoutNagle(options.host, options.port),
  });
  const text = messageBody(options.bodyBytes);

  const sendOne = async (subject: string, outcome: SendOutcome): Promise<void> => {
    try {
      const info = await transport.sendMail({ from: SENDER, to: options.to, subject, text });
      const repliedAt = performance.now();
      if (/^250[ -]/.test(info.response)) outcome.acceptedAt.set(subject, repliedAt);
      else count(outcome.failures, `not 250: ${info.response.slice(0, REPLY_TEXT_CHARS)}`);
    } catch (err) {
      count(outcome.failures, failureKey(err));
    }
  };

  return {
    send: async (subjects, signal) => {
      const outcome: SendOutcome = { acceptedAt: new Map(), failures: new Map(), wallMs: 0 };
      // Closing the pool fails every queued message at once.
      const onAbort = (): void => transport.close();
      signal.addEventListener('abort', onAbort, { once: true });

      const started = performance.now();
      try {
        await Promise.all(subjects.map((subject) => sendOne(subject, outcome)));
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
      outcome.wallMs = performance.now() - started;

      signal.throwIfAborted();
      return outcome;
    },
    close: () => transport.close(),
  };
}
