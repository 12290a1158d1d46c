import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

import { within } from './teardown';

const CONNECT_TIMEOUT_MS = 15_000;
const POLL_INTERVAL_MS = 20;
/**
 * graphql-ws acknowledges the connection but not a subscribe message; the server registers
 * the subscription after an inbox lookup, so events sent sooner could be missed.
 */
const REGISTER_GRACE_MS = 250;

const SUBSCRIPTION = `subscription BenchArrivals($inboxId: ID) {
  emailReceived(inboxId: $inboxId) { id subject }
}`;

/** emailReceived events of one inbox, timed as they reach the client. */
export interface Arrivals {
  /** `performance.now()` when each subject's first event arrived. */
  readonly at: ReadonlyMap<string, number>;
  /** Errors the subscription reported. */
  readonly errors: readonly string[];
  /** Resolves once every subject has arrived, after `ms`, or when the subscription ends. */
  waitFor(subjects: readonly string[], ms: number, signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/** A readable line for whatever graphql-ws hands an error sink or a `closed` listener. */
function explain(problem: unknown): string {
  if (problem instanceof Error) return problem.message;
  if (Array.isArray(problem)) return problem.map(explain).join('; ');
  const close = problem as { code?: unknown; reason?: unknown; message?: unknown } | null;
  if (typeof close?.message === 'string') return close.message;
  if (typeof close?.code === 'number') return `socket closed ${close.code} ${String(close.reason)}`;
  return String(problem);
}

/**
 * Opens a graphql-ws subscription to `emailReceived(inboxId)`, authenticated with the key in
 * connectionParams, and resolves once the server has accepted the connection.
 */
export async function subscribeToInbox(
  wsUrl: string,
  key: string,
  inboxId: string,
  signal: AbortSignal,
): Promise<Arrivals> {
  const at = new Map<string, number>();
  const errors: string[] = [];
  let closing = false;
  let ended = false;
  const end = (problem: string): void => {
    ended = true;
    if (!closing) errors.push(problem);
  };

  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${key}` },
    retryAttempts: 0,
  });
  const connected = new Promise<void>((resolve, reject) => {
    client.on('connected', () => resolve());
    client.on('closed', (event) => {
      end(explain(event));
      reject(new Error(`the subscription socket closed: ${explain(event)}`));
    });
  });
  client.subscribe<{ emailReceived: { id: string; subject: string | null } }>(
    { query: SUBSCRIPTION, variables: { inboxId } },
    {
      next: (result) => {
        const now = performance.now();
        const subject = result.data?.emailReceived.subject;
        if (typeof subject === 'string' && !at.has(subject)) at.set(subject, now);
        for (const err of result.errors ?? []) errors.push(err.message);
      },
      error: (err) => end(explain(err)),
      complete: () => end('the subscription completed'),
    },
  );

  await within(connected, CONNECT_TIMEOUT_MS, 'connecting the subscription', signal);
  await sleep(REGISTER_GRACE_MS);

  return {
    at,
    errors,
    waitFor: async (subjects, ms, abort) => {
      const deadline = performance.now() + ms;
      while (!ended && performance.now() < deadline && !subjects.every((s) => at.has(s))) {
        abort.throwIfAborted();
        await sleep(POLL_INTERVAL_MS);
      }
    },
    close: async () => {
      closing = true;
      await client.dispose();
    },
  };
}
