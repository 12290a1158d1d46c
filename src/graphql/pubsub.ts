import { setMaxListeners } from 'node:events';

import { createPubSub } from 'graphql-yoga';
import { Client } from 'pg';

import { EMAIL_RECEIVED_CHANNEL, parseEmailReceived } from '../domain/mail/events';
import type { EmailReceivedEvent } from '../domain/mail/events';
import type { Logger } from '../lib/logger';

const RECONNECT_DELAY_MS = 1000;
const CONNECT_TIMEOUT_MS = 10_000;

/** In-process fan-out of stored-mail events to subscriptions. */
export type EmailPubSub = ReturnType<typeof createEmailPubSub>;

/** The pub/sub that subscriptions read; fed by the database listener. */
export function createEmailPubSub() {
  // Every open subscription is one listener; Node warns past ten on one EventTarget.
  const eventTarget = new EventTarget();
  setMaxListeners(0, eventTarget);
  return createPubSub<{ emailReceived: [EmailReceivedEvent] }>({ eventTarget });
}

/** A dedicated connection that LISTENs for stored mail and republishes it in-process. */
export interface EmailListener {
  close(): Promise<void>;
}

/**
 * LISTENs on the database for mail stored by any SMTP process. Reconnects after a lost
 * connection; events sent while disconnected are missed (NOTIFY is not durable).
 */
export async function listenForEmail(
  databaseUrl: string,
  pubsub: EmailPubSub,
  log: Logger,
): Promise<EmailListener> {
  let client: Client | undefined;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let closed = false;

  const scheduleReconnect = (): void => {
    if (closed) return;
    reconnectTimer = setTimeout(() => void connect().catch(retry), RECONNECT_DELAY_MS);
  };
  const retry = (err: unknown): void => {
    log.warn({ err }, 'email listener could not connect, retrying');
    scheduleReconnect();
  };
  const connect = async (): Promise<void> => {
    if (closed) return;
    const next = new Client({
      connectionString: databaseUrl,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    });
    next.on('notification', (message) => {
      const event = parseEmailReceived(message.payload);
      if (event) pubsub.publish('emailReceived', event);
    });
    next.on('error', (err) => {
      log.warn({ err }, 'email listener connection lost, reconnecting');
      void next.end().catch(() => undefined);
      scheduleReconnect();
    });
    await next.connect();
    // Closed while connecting: this connection is the last one and nobody else ends it.
    if (closed) {
      await next.end();
      return;
    }
    await next.query(`LISTEN ${EMAIL_RECEIVED_CHANNEL}`);
    client = next;
  };

  await connect();
  return {
    close: async () => {
      closed = true;
      clearTimeout(reconnectTimer);
      await client?.end().catch(() => undefined);
    },
  };
}
