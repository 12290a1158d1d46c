import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { UUID } from '../../helpers/api-values';
import { graphqlApi } from '../../helpers/graphql-api';
import { sendMail } from '../../helpers/mail';
import { startService, type TestService } from '../../helpers/service';

// The emailReceived subscription over graphql-ws, on the GraphQL path; see schema.graphql.

let service: TestService;
const { createInbox } = graphqlApi(() => service);

beforeAll(async () => {
  service = await startService();
});

afterAll(async () => {
  await service?.stop();
});

interface Received {
  id: string;
  subject: string;
  inboxId: string;
}

/** A graphql-ws client whose upgrade request carries the given headers (not connectionParams). */
function wsClient(headers: Record<string, string>): Client {
  class HeaderWebSocket extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  }
  return createClient({
    url: `ws://127.0.0.1:${service.httpPort}/graphql`,
    webSocketImpl: HeaderWebSocket,
    retryAttempts: 0,
  });
}

/** The close code of the client's first socket. */
function closeCode(client: Client): Promise<number> {
  return new Promise((resolve) => {
    client.on('closed', (event) => resolve((event as { code: number }).code));
  });
}

describe('subscription emailReceived over graphql-ws', () => {
  it('delivers mail to a socket authenticated by its upgrade headers', async () => {
    const key = await service.createAccount('free');
    const inbox = await createInbox(key);
    const client = wsClient({ authorization: `Bearer ${key}` });
    const connected = new Promise<void>((resolve) => client.on('connected', () => resolve()));
    const firstEvent = new Promise<Received>((resolve, reject) => {
      client.subscribe<{ emailReceived: Received }>(
        {
          query: 'subscription ($id: ID) { emailReceived(inboxId: $id) { id subject inboxId } }',
          variables: { id: inbox.id },
        },
        {
          next: (value) =>
            value.data
              ? resolve(value.data.emailReceived)
              : reject(new Error(JSON.stringify(value))),
          error: reject,
          complete: () => reject(new Error('the subscription ended without an event')),
        },
      );
    });
    await connected;
    // No acknowledgement for subscribe exists; registration takes milliseconds.
    await new Promise((resolve) => setTimeout(resolve, 500));

    await sendMail(service.smtpPort, { to: inbox.email, subject: 'pushed', text: 'live' });
    const event = await firstEvent;

    expect(event).toEqual({
      id: expect.stringMatching(UUID),
      subject: 'pushed',
      inboxId: inbox.id,
    });
    await client.dispose();
  });

  it.each([
    ['an unknown key', { authorization: `Bearer dm_live_${'Q'.repeat(32)}` }],
    ['a malformed key', { 'x-api-key': 'not-a-key' }],
    ['no key', {}],
  ])('closes a connection with %s with 4403', async (_what, headers: Record<string, string>) => {
    const client = wsClient(headers);
    const closed = closeCode(client);

    client.subscribe(
      { query: 'subscription { emailReceived { id } }' },
      { next: () => undefined, error: () => undefined, complete: () => undefined },
    );

    expect(await closed).toBe(4403);
    await client.dispose();
  });

  it('closes an open socket with 4403 once its key is revoked', async () => {
    const created = await service.cli<{ api_key: { id: string; key: string } }>(
      'account',
      'create',
      '--email',
      `revoked.${process.pid}.${Date.now()}@example.test`,
    );
    const client = wsClient({ authorization: `Bearer ${created.api_key.key}` });
    const connected = new Promise<void>((resolve) => client.on('connected', () => resolve()));
    const closed = closeCode(client);
    client.subscribe(
      { query: 'subscription { emailReceived { id } }' },
      { next: () => undefined, error: () => undefined, complete: () => undefined },
    );
    await connected;

    await service.cli('key', 'revoke', created.api_key.id);

    expect(await closed).toBe(4403);
    await client.dispose();
  });
});
