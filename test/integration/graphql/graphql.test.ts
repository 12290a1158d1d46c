import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { graphql, request } from '../../helpers/http';
import { sendMail } from '../../helpers/mail';
import { startService, type TestService } from '../../helpers/service';

// GraphQL over HTTP (POST /graphql) and graphql-ws on the same path; see schema.graphql.

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PRIMARY = 'dustmail.net';
const FREE_DAILY_REQUESTS = 100;
const MISSING_ID = '00000000-0000-4000-8000-000000000000';

let service: TestService;

beforeAll(async () => {
  service = await startService();
});

afterAll(async () => {
  await service?.stop();
});

function gql<T = any>(
  key: string | undefined,
  query: string,
  variables: Record<string, unknown> = {},
) {
  return graphql<T>(service.httpUrl, key, query, variables);
}

function errorCodes(body: {
  errors?: { extensions?: { code?: string } }[];
}): (string | undefined)[] {
  return (body.errors ?? []).map((e) => e.extensions?.code);
}

async function createInbox(key: string): Promise<{ id: string; email: string }> {
  const created = await gql(key, 'mutation { createInbox { inbox { id email } } }');
  expect(created.body.errors).toBeUndefined();
  return created.body.data.createInbox.inbox;
}

/** Sends messages one after another, so each has its own receive time. */
async function sendSeveral(to: string, subjects: string[]): Promise<void> {
  for (const subject of subjects) await sendMail(service.smtpPort, { to, subject, text: subject });
}

function nextUtcMidnight(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
}

const EMAILS_PAGE = `query ($id: ID!, $first: Int, $after: String) {
  inbox(id: $id) {
    emails(first: $first, after: $after) {
      totalCount
      edges { cursor node { id subject } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;

interface EmailsPage {
  totalCount: number;
  edges: { cursor: string; node: { id: string; subject: string } }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

async function emailsPage(key: string, id: string, first: number, after?: string | null) {
  const response = await gql<{ inbox: { emails: EmailsPage } }>(key, EMAILS_PAGE, {
    id,
    first,
    after,
  });
  expect(response.body.errors).toBeUndefined();
  return response.body.data!.inbox.emails;
}

/** The body without the quota every authenticated result carries in its extensions. */
function withoutQuota(body: { extensions?: Record<string, unknown> }): unknown {
  const { rateLimit, ...rest } = body.extensions ?? {};
  expect(rateLimit).toBeDefined();
  const copy: Record<string, unknown> = { ...body };
  if (Object.keys(rest).length > 0) copy['extensions'] = rest;
  else delete copy['extensions'];
  return copy;
}

describe('query me', () => {
  it('returns the account of a free key with its quota', async () => {
    const key = await service.createAccount('free', `me.free.${Date.now()}@example.test`);

    const response = await gql(
      key,
      `{
      me { id email plan availableDomains quota { limit used remaining resetsAt } }
    }`,
    );

    expect(response.status).toBe(200);
    expect(withoutQuota(response.body)).toEqual({
      data: {
        me: {
          id: expect.stringMatching(UUID),
          email: expect.stringMatching(/^me\.free\.\d+@example\.test$/),
          plan: 'FREE',
          availableDomains: [PRIMARY],
          quota: {
            limit: FREE_DAILY_REQUESTS,
            used: 1,
            remaining: FREE_DAILY_REQUESTS - 1,
            resetsAt: nextUtcMidnight(new Date()).toISOString(),
          },
        },
      },
    });
  });

  it('returns an unlimited quota for a premium key', async () => {
    const key = await service.createAccount('premium');

    const response = await gql(key, '{ me { plan quota { limit used remaining } } }');

    expect(withoutQuota(response.body)).toEqual({
      data: { me: { plan: 'PREMIUM', quota: { limit: null, used: 1, remaining: null } } },
    });
  });

  it('accepts the key as X-API-Key', async () => {
    const key = await service.createAccount('free');

    const response = await request(service.httpUrl, 'POST', '/graphql', {
      headers: { 'x-api-key': key },
      body: { query: '{ me { plan } }' },
    });

    expect(withoutQuota(response.body)).toEqual({ data: { me: { plan: 'FREE' } } });
  });

  it('answers UNAUTHORIZED with status 401 without a key', async () => {
    const response = await gql(undefined, '{ me { id } }');

    expect(response.status).toBe(401);
    expect(response.body.data ?? null).toBeNull();
    expect(errorCodes(response.body)).toEqual(['UNAUTHORIZED']);
  });

  it('answers UNAUTHORIZED for an unknown well-formed key', async () => {
    const response = await gql(`dm_live_${'Z'.repeat(32)}`, '{ me { id } }');

    expect(response.status).toBe(401);
    expect(errorCodes(response.body)).toEqual(['UNAUTHORIZED']);
  });
});

describe('query inboxes', () => {
  it("lists the account's inboxes newest first with their email counts", async () => {
    const key = await service.createAccount('free');
    const older = await createInbox(key);
    const newer = await createInbox(key);
    await sendMail(service.smtpPort, { to: newer.email, subject: 'hello', text: 'hi' });

    const response = await gql(
      key,
      `{
      inboxes { totalCount nodes { id email domain localPart createdAt expiresAt emailCount } }
    }`,
    );

    const node = (inbox: { id: string; email: string }, emailCount: number) => ({
      id: inbox.id,
      email: inbox.email,
      domain: PRIMARY,
      localPart: inbox.email.split('@')[0],
      createdAt: expect.stringMatching(ISO_MS),
      expiresAt: expect.stringMatching(ISO_MS),
      emailCount,
    });
    expect(withoutQuota(response.body)).toEqual({
      data: { inboxes: { totalCount: 2, nodes: [node(newer, 1), node(older, 0)] } },
    });
  });

  it("never lists another account's inboxes", async () => {
    const ownerKey = await service.createAccount('free');
    const otherKey = await service.createAccount('free');
    await createInbox(ownerKey);

    const response = await gql(otherKey, '{ inboxes { totalCount nodes { id } } }');

    expect(withoutQuota(response.body)).toEqual({
      data: { inboxes: { totalCount: 0, nodes: [] } },
    });
  });
});

describe('query inbox', () => {
  it('returns one inbox of the account with its emails', async () => {
    const key = await service.createAccount('free');
    const inbox = await createInbox(key);
    await sendMail(service.smtpPort, {
      to: inbox.email,
      from: 'Carol <carol@example.com>',
      subject: 'Welcome',
      text: 'Hello Carol',
    });

    const response = await gql(
      key,
      `query ($id: ID!) {
        inbox(id: $id) {
          id email emailCount
          emails { totalCount nodes { inboxId from fromName subject text html receivedAt } }
        }
      }`,
      { id: inbox.id },
    );

    expect(withoutQuota(response.body)).toEqual({
      data: {
        inbox: {
          id: inbox.id,
          email: inbox.email,
          emailCount: 1,
          emails: {
            totalCount: 1,
            nodes: [
              {
                inboxId: inbox.id,
                from: 'carol@example.com',
                fromName: 'Carol',
                subject: 'Welcome',
                text: expect.stringContaining('Hello Carol'),
                html: null,
                receivedAt: expect.stringMatching(ISO_MS),
              },
            ],
          },
        },
      },
    });
  });

  it("is null with NOT_FOUND for another account's inbox", async () => {
    const ownerKey = await service.createAccount('free');
    const otherKey = await service.createAccount('free');
    const inbox = await createInbox(ownerKey);

    const response = await gql(otherKey, 'query ($id: ID!) { inbox(id: $id) { id email } }', {
      id: inbox.id,
    });

    expect(response.body.data).toEqual({ inbox: null });
    expect(errorCodes(response.body)).toEqual(['NOT_FOUND']);
    expect(JSON.stringify(response.body)).not.toContain(inbox.email);
  });

  it('is null with NOT_FOUND for an id that names no inbox', async () => {
    const key = await service.createAccount('free');

    const response = await gql(key, 'query ($id: ID!) { inbox(id: $id) { id } }', {
      id: MISSING_ID,
    });

    expect(response.body.data).toEqual({ inbox: null });
    expect(errorCodes(response.body)).toEqual(['NOT_FOUND']);
  });
});

describe('Inbox.emails', () => {
  it('pages through the emails newest first with cursors, without overlap or gaps', async () => {
    const key = await service.createAccount('premium');
    const inbox = await createInbox(key);
    const subjects = ['first', 'second', 'third', 'fourth', 'fifth'];
    await sendSeveral(inbox.email, subjects);

    const pages: EmailsPage[] = [];
    let after: string | null = null;
    // Bounded: a page that never ends its listing fails the assertions below instead of looping.
    for (let i = 0; i < subjects.length; i += 1) {
      const page: EmailsPage = await emailsPage(key, inbox.id, 2, after);
      pages.push(page);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }

    expect(pages.map((p) => p.edges.map((e) => e.node.subject))).toEqual([
      ['fifth', 'fourth'],
      ['third', 'second'],
      ['first'],
    ]);
    expect(pages.map((p) => p.pageInfo.hasNextPage)).toEqual([true, true, false]);
    expect(pages.map((p) => p.pageInfo.endCursor)).toEqual(
      pages.map((p) => p.edges.at(-1)?.cursor),
    );
    expect(pages.map((p) => p.totalCount)).toEqual([5, 5, 5]);
    const ids = pages.flatMap((p) => p.edges.map((e) => e.node.id));
    expect(new Set(ids).size).toBe(subjects.length);
  });

  it('returns the same order in one page as across pages', async () => {
    const key = await service.createAccount('premium');
    const inbox = await createInbox(key);
    await sendSeveral(inbox.email, ['a', 'b', 'c']);

    const whole = await emailsPage(key, inbox.id, 10);
    const first = await emailsPage(key, inbox.id, 1);
    const rest = await emailsPage(key, inbox.id, 10, first.pageInfo.endCursor);

    expect(whole.pageInfo).toEqual({ hasNextPage: false, endCursor: whole.edges.at(-1)?.cursor });
    expect([...first.edges, ...rest.edges].map((e) => e.node.id)).toEqual(
      whole.edges.map((e) => e.node.id),
    );
  });

  it('gives an empty last page after the final cursor', async () => {
    const key = await service.createAccount('premium');
    const inbox = await createInbox(key);
    await sendSeveral(inbox.email, ['only']);
    const page = await emailsPage(key, inbox.id, 1);

    const after = await emailsPage(key, inbox.id, 1, page.pageInfo.endCursor);

    expect(page.pageInfo.hasNextPage).toBe(false);
    expect(after).toEqual({
      totalCount: 1,
      edges: [],
      pageInfo: { hasNextPage: false, endCursor: null },
    });
  });

  it.each([
    ['a page size over 100', { first: 101 }],
    ['a negative page size', { first: -1 }],
    ['a cursor that is not one', { first: 2, after: 'not-a-cursor' }],
  ])('answers VALIDATION_ERROR for %s', async (_what, args) => {
    const key = await service.createAccount('premium');
    const inbox = await createInbox(key);

    const response = await gql(key, EMAILS_PAGE, { id: inbox.id, ...args });

    expect(errorCodes(response.body)).toEqual(['VALIDATION_ERROR']);
  });
});

describe('mutation createInbox', () => {
  it('creates a random inbox on the primary domain and returns the account', async () => {
    const key = await service.createAccount('free');

    const response = await gql(
      key,
      `mutation {
      createInbox { inbox { id email domain createdAt expiresAt } account { plan availableDomains } }
    }`,
    );

    expect(withoutQuota(response.body)).toEqual({
      data: {
        createInbox: {
          inbox: {
            id: expect.stringMatching(UUID),
            email: expect.stringMatching(/^[a-z]+\.[a-z]+\d{4}@dustmail\.net$/),
            domain: PRIMARY,
            createdAt: expect.stringMatching(ISO_MS),
            expiresAt: expect.stringMatching(ISO_MS),
          },
          account: { plan: 'FREE', availableDomains: [PRIMARY] },
        },
      },
    });
    const list = await gql(key, '{ inboxes { nodes { id } } }');
    expect(list.body.data.inboxes.nodes).toEqual([{ id: response.body.data.createInbox.inbox.id }]);
  });

  it('creates the chosen username, lower-cased, for a premium key', async () => {
    const key = await service.createAccount('premium');
    const username = `GQL.User${Date.now()}`;

    const response = await gql(
      key,
      'mutation ($input: CreateInboxInput) { createInbox(input: $input) { inbox { email localPart } } }',
      { input: { username } },
    );

    expect(response.body.data.createInbox.inbox).toEqual({
      email: `${username.toLowerCase()}@${PRIMARY}`,
      localPart: username.toLowerCase(),
    });
  });

  it('answers PREMIUM_REQUIRED when a free key asks for a username', async () => {
    const key = await service.createAccount('free');

    const response = await gql(
      key,
      'mutation { createInbox(input: { username: "mine" }) { inbox { id } } }',
    );

    expect(response.status).toBe(403);
    expect(response.body.data ?? null).toBeNull();
    expect(errorCodes(response.body)).toEqual(['PREMIUM_REQUIRED']);
  });

  it('answers UNAUTHORIZED without a key', async () => {
    const response = await gql(undefined, 'mutation { createInbox { inbox { id } } }');

    expect(response.status).toBe(401);
    expect(errorCodes(response.body)).toEqual(['UNAUTHORIZED']);
  });
});

describe('mutation deleteInbox', () => {
  it('returns the id; the inbox is then NOT_FOUND and gone from inboxes', async () => {
    const key = await service.createAccount('free');
    const kept = await createInbox(key);
    const inbox = await createInbox(key);

    const response = await gql(key, 'mutation ($id: ID!) { deleteInbox(id: $id) }', {
      id: inbox.id,
    });

    expect(withoutQuota(response.body)).toEqual({ data: { deleteInbox: inbox.id } });
    const read = await gql(key, 'query ($id: ID!) { inbox(id: $id) { id } }', { id: inbox.id });
    expect(errorCodes(read.body)).toEqual(['NOT_FOUND']);
    const list = await gql(key, '{ inboxes { totalCount nodes { id } } }');
    expect(list.body.data.inboxes).toEqual({ totalCount: 1, nodes: [{ id: kept.id }] });
  });

  it("answers NOT_FOUND for another account's inbox and leaves it alone", async () => {
    const ownerKey = await service.createAccount('free');
    const otherKey = await service.createAccount('free');
    const inbox = await createInbox(ownerKey);

    const response = await gql(otherKey, 'mutation ($id: ID!) { deleteInbox(id: $id) }', {
      id: inbox.id,
    });

    expect(response.body.data ?? null).toBeNull();
    expect(errorCodes(response.body)).toEqual(['NOT_FOUND']);
    const read = await gql(ownerKey, 'query ($id: ID!) { inbox(id: $id) { id } }', {
      id: inbox.id,
    });
    expect(withoutQuota(read.body)).toEqual({ data: { inbox: { id: inbox.id } } });
  });
});

describe('quota over GraphQL', () => {
  it('puts the X-RateLimit headers on an authenticated response', async () => {
    const key = await service.createAccount('free');

    const response = await gql(key, '{ me { id } }');

    expect(response.headers.get('x-ratelimit-limit')).toBe('100');
    expect(response.headers.get('x-ratelimit-remaining')).toBe('99');
    expect(response.headers.get('x-ratelimit-reset')).toBe(
      String(nextUtcMidnight(new Date()).getTime() / 1000),
    );
  });

  it('reports the quota in the result extensions', async () => {
    const key = await service.createAccount('free');

    await gql(key, '{ me { id } }');
    const response = await gql(key, '{ me { id } }');

    expect(response.body.extensions).toEqual({
      rateLimit: {
        limit: 100,
        used: 2,
        remaining: 98,
        resetsAt: nextUtcMidnight(new Date()).toISOString(),
      },
    });
  });

  it('counts GraphQL and REST requests together', async () => {
    const key = await service.createAccount('free');
    const restBefore = await request(service.httpUrl, 'GET', '/api/v1/inbox', { key });

    const response = await gql(key, '{ me { quota { used } } }');

    const restAfter = await request(service.httpUrl, 'GET', '/api/v1/inbox', { key });
    expect(restBefore.body.meta.rate_limit.used).toBe(1);
    expect(response.body.data.me.quota.used).toBe(2);
    expect(restAfter.body.meta.rate_limit.used).toBe(3);
  });

  it('answers RATE_LIMITED with 429 and Retry-After once the day is spent', async () => {
    const key = await service.createAccount('free');
    const batchSize = 10;
    for (let sent = 0; sent < FREE_DAILY_REQUESTS; sent += batchSize) {
      const batch = await Promise.all(
        Array.from({ length: batchSize }, () => gql(key, '{ me { id } }')),
      );
      expect(batch.map((r) => r.status)).toEqual(Array(batchSize).fill(200));
    }

    const response = await gql(key, '{ me { id } }');

    expect(response.status).toBe(429);
    expect(errorCodes(response.body)).toEqual(['RATE_LIMITED']);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(response.headers.get('x-ratelimit-remaining')).toBe('0');
  });
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
