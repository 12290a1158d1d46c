import { createPubSub } from 'graphql-yoga';
import { Client } from 'pg';

import { EMAIL_RECEIVED_CHANNEL, parseEmailReceived } from '../domain/mail/events';
import type { EmailReceivedEvent } from '../domain/mail/events';
import type { Logger } from '../lib/logger';

const RECONNECT_DELAY_MS = 1000;

/** In-process fan-out of stored-mail events to subscriptions. */
export type EmailPubSub = ReturnType<typeof createEmailPubSub>;

/** The pub/sub that subscriptions read; fed by the database listener. */
export function createEmailPubSub() {
  return createPubSub<{ emailReceived: [EmailReceivedEvent] }>();
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
  let closed = false;

  const connect = async (): Promise<void> => {
    const next = new Client({ connectionString: databaseUrl });
    next.on('notification', (message) => {
      const event = parseEmailReceived(message.payload);
      if (event) pubsub.publish('emailReceived', event);
    });
    next.on('error', (err) => {
      log.warn({ err }, 'email listener connection lost, reconnecting');
      void next.end().catch(() => undefined);
      if (!closed) setTimeout(() => void connect().catch(retry), RECONNECT_DELAY_MS);
    });
    await next.connect();
    await next.query(`LISTEN ${EMAIL_RECEIVED_CHANNEL}`);
    client = next;
  };
  const retry = (err: unknown): void => {
    log.warn({ err }, 'email listener could not connect, retrying');
    if (!closed) setTimeout(() => void connect().catch(retry), RECONNECT_DELAY_MS);
  };

  await connect();
  return {
    close: async () => {
      closed = true;
      await client?.end();
    },
  };
}
