import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { graphql, request } from '../../helpers/http';
import { refusedCode, sendMail } from '../../helpers/mail';
import { startService, type TestService } from '../../helpers/service';

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_MESSAGE_BYTES = 64 * 1024;

let service: TestService;

beforeAll(async () => {
  service = await startService({ DUSTMAIL_MAX_MESSAGE_BYTES: String(MAX_MESSAGE_BYTES) });
});

afterAll(async () => {
  await service?.stop();
});

async function createInbox(key: string): Promise<{ id: string; email: string }> {
  const created = await request(service.httpUrl, 'POST', '/api/v1/inbox', { key });
  expect(created.status).toBe(201);
  return created.body.data;
}

interface Received {
  id: string;
  subject: string;
  from: string;
  inboxId: string;
}

/** Opens a subscription and collects what arrives. */
async function subscribe(key: string, inboxId?: string) {
  const client: Client = createClient({
    url: `ws://127.0.0.1:${service.httpPort}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${key}` },
    retryAttempts: 0,
  });
  const received: Received[] = [];
  const errors: unknown[] = [];
  let acknowledged!: () => void;
  const ready = new Promise<void>((resolve) => (acknowledged = resolve));
  client.on('connected', () => acknowledged());

  client.subscribe<{ emailReceived: Received }>(
    {
      query: `subscription ($inboxId: ID) {
        emailReceived(inboxId: $inboxId) { id subject from inboxId }
      }`,
      variables: { inboxId },
    },
    {
      // A refusal at subscribe time arrives as one result with errors, then completion.
      next: (value) => {
        if (value.errors) errors.push(...value.errors);
        if (value.data) received.push(value.data.emailReceived);
      },
      error: (err) => errors.push(err),
      complete: () => undefined,
    },
  );
  await ready;
  // The protocol has no acknowledgement for subscribe; the server registers it within
  // milliseconds (two queries), so half a second leaves a wide margin on a busy machine.
  await new Promise((resolve) => setTimeout(resolve, 500));
  return { client, received, errors };
}

async function until<T>(probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('mail sent over SMTP', () => {
  it('arrives in the subscription, REST and GraphQL', async () => {
    const key = await service.createAccount('free');
    const inbox = await createInbox(key);
    const live = await subscribe(key, inbox.id);

    const sent = await sendMail(service.smtpPort, {
      to: inbox.email,
      subject: 'Verify your email address',
      text: 'Click the link below to verify',
      html: '<p>Click the link below to verify</p>',
    });
    expect(sent.response).toMatch(/^250 /);

    const event = await until(() => live.received[0]);
    expect(event).toMatchObject({ subject: 'Verify your email address', inboxId: inbox.id });
    live.client.dispose();

    const read = await request(service.httpUrl, 'GET', `/api/v1/inbox/${inbox.id}`, { key });
    expect(read.status).toBe(200);
    expect(read.body).toEqual({
      success: true,
      data: {
        inbox: {
          id: inbox.id,
          email: inbox.email,
          domain: 'dustmail.net',
          created_at: expect.stringMatching(ISO_MS),
          expires_at: expect.stringMatching(ISO_MS),
        },
        emails: [
          expect.objectContaining({
            id: event.id,
            from: 'sender@example.com',
            subject: 'Verify your email address',
            text: expect.stringContaining('Click the link below to verify'),
            html: '<p>Click the link below to verify</p>',
            received_at: expect.stringMatching(ISO_MS),
          }),
        ],
      },
      meta: { email_count: 1, rate_limit: { limit: 100, used: expect.any(Number) } },
    });

    const list = await request(service.httpUrl, 'GET', '/api/v1/inbox', { key });
    expect(list.body.data).toEqual([expect.objectContaining({ id: inbox.id, email_count: 1 })]);

    const gql = await graphql(
      service.httpUrl,
      key,
      `
        query ($id: ID!) {
          inbox(id: $id) {
            emails(first: 10) {
              totalCount
              nodes {
                id
                subject
                fromName
              }
            }
          }
        }
      `,
      { id: inbox.id },
    );
    expect(gql.body.data.inbox.emails).toEqual({
      totalCount: 1,
      nodes: [{ id: event.id, subject: 'Verify your email address', fromName: 'Sender' }],
    });
  });

  it("is never pushed to another account's subscription", async () => {
    const ownerKey = await service.createAccount('free');
    const otherKey = await service.createAccount('free');
    const inbox = await createInbox(ownerKey);
    const otherInbox = await createInbox(otherKey);
    const owner = await subscribe(ownerKey);
    const other = await subscribe(otherKey);

    await sendMail(service.smtpPort, { to: inbox.email, subject: 'private', text: 'x' });
    await until(() => owner.received[0]);
    await sendMail(service.smtpPort, { to: otherInbox.email, subject: 'theirs', text: 'y' });
    await until(() => other.received[0]);

    expect(owner.received.map((e) => e.subject)).toEqual(['private']);
    expect(other.received.map((e) => e.subject)).toEqual(['theirs']);
    owner.client.dispose();
    other.client.dispose();
  });

  it("refuses a subscription to another account's inbox", async () => {
    const ownerKey = await service.createAccount('free');
    const otherKey = await service.createAccount('free');
    const inbox = await createInbox(ownerKey);

    const other = await subscribe(otherKey, inbox.id);
    await until(() => other.errors[0]);

    expect(JSON.stringify(other.errors[0])).toContain('NOT_FOUND');
    other.client.dispose();
  });

  it('is stored in each of our inboxes it is addressed to', async () => {
    const key = await service.createAccount('free');
    const first = await createInbox(key);
    const second = await createInbox(key);

    await sendMail(service.smtpPort, {
      to: [first.email, second.email],
      subject: 'both',
      text: 'z',
    });

    const list = await request(service.httpUrl, 'GET', '/api/v1/inbox', { key });
    const counts = Object.fromEntries(
      list.body.data.map((i: { id: string; email_count: number }) => [i.id, i.email_count]),
    );
    expect(counts).toEqual({ [first.id]: 1, [second.id]: 1 });
  });

  it('matches the recipient address case-insensitively', async () => {
    const key = await service.createAccount('free');
    const inbox = await createInbox(key);

    const sent = await sendMail(service.smtpPort, { to: inbox.email.toUpperCase(), text: 'hi' });

    expect(sent.accepted).toHaveLength(1);
    const read = await request(service.httpUrl, 'GET', `/api/v1/inbox/${inbox.id}`, { key });
    expect(read.body.meta.email_count).toBe(1);
  });
});

describe('RCPT TO', () => {
  it('answers 550 5.1.1 for a deleted inbox', async () => {
    const key = await service.createAccount('free');
    const inbox = await createInbox(key);
    const deleted = await request(service.httpUrl, 'DELETE', `/api/v1/inbox/${inbox.id}`, { key });
    expect(deleted.body).toEqual({ success: true, message: 'Inbox deleted' });

    const refused = await refusedCode(sendMail(service.smtpPort, { to: inbox.email, text: 'x' }));

    expect(refused.code).toBe(550);
    expect(refused.text).toContain('5.1.1');
  });

  it('answers 550 5.1.1 for an address nobody holds', async () => {
    const refused = await refusedCode(
      sendMail(service.smtpPort, { to: 'nobody.here0000@dustmail.net', text: 'x' }),
    );

    expect(refused.code).toBe(550);
    expect(refused.text).toContain('5.1.1');
  });

  it('answers 550 5.7.1 for a domain that is not ours', async () => {
    const refused = await refusedCode(
      sendMail(service.smtpPort, { to: 'someone@example.org', text: 'x' }),
    );

    expect(refused.code).toBe(550);
    expect(refused.text).toContain('5.7.1');
  });
});

describe('DATA', () => {
  it('answers 552 for a message over the size limit', async () => {
    const key = await service.createAccount('free');
    const inbox = await createInbox(key);

    const refused = await refusedCode(
      sendMail(service.smtpPort, { to: inbox.email, text: 'x'.repeat(MAX_MESSAGE_BYTES * 2) }),
    );

    expect(refused.code).toBe(552);
    const read = await request(service.httpUrl, 'GET', `/api/v1/inbox/${inbox.id}`, { key });
    expect(read.body.meta.email_count).toBe(0);
  });
});

describe('ids', () => {
  it('are UUIDs', async () => {
    const key = await service.createAccount('free');

    const inbox = await createInbox(key);

    expect(inbox.id).toMatch(UUID);
  });
});

describe('GraphiQL', () => {
  it('is served to a browser with its assets inline, not from a CDN', async () => {
    const response = await fetch(`${service.httpUrl}/graphql`, {
      headers: { accept: 'text/html' },
    });
    const page = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page).toMatch(/graphiql/i);
    expect(page).not.toMatch(/<script[^>]+src=["']?(https?:)?\/\//i);
    expect(page).not.toMatch(/<link[^>]+href=["']?(https?:)?\/\//i);
    expect(page).not.toMatch(/unpkg\.com|jsdelivr|cdnjs/i);
  });
});
