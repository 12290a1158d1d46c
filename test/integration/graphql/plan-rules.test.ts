import type { FormattedExecutionResult, GraphQLFormattedError } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { graphql } from '../../helpers/http';
import { startService, type TestService } from '../../helpers/service';

// The plan rules of the README through GraphQL: usernames, addresses, domains, lifetime,
// and the quota over websocket operations. A small free quota keeps the quota tests short.

const PRIMARY = 'dustmail.net';
const SPARE = 'spare.example';
const FREE_DAILY_REQUESTS = 5;
const FREE_TTL_MS = 30 * 60 * 1000;
const PREMIUM_TTL_MS = 365 * 24 * 60 * 60 * 1000;

let service: TestService;

beforeAll(async () => {
  service = await startService({
    DUSTMAIL_DOMAINS: `${PRIMARY},${SPARE}`,
    DUSTMAIL_FREE_DAILY_REQUESTS: String(FREE_DAILY_REQUESTS),
  });
});

afterAll(async () => {
  await service?.stop();
});

type Body = { data?: any; errors?: { extensions?: { code?: string } }[] };

function gql(key: string, query: string, variables: Record<string, unknown> = {}) {
  return graphql(service.httpUrl, key, query, variables);
}

const codes = (body: Body) => (body.errors ?? []).map((e) => e.extensions?.code);

const CREATE = `mutation ($input: CreateInboxInput) {
  createInbox(input: $input) { inbox { id email domain createdAt expiresAt } }
}`;

function createInbox(key: string, input: Record<string, string> = {}) {
  return gql(key, CREATE, { input });
}

function wsClient(key: string): Client {
  return createClient({
    url: `ws://127.0.0.1:${service.httpPort}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${key}` },
    retryAttempts: 0,
  });
}

/**
 * Runs one operation over graphql-ws and returns its first result. An operation refused
 * before it runs (an `error` message: a list of errors) comes back as `{ errors }` too.
 */
function overWs(client: Client, query: string, variables: Record<string, unknown> = {}) {
  return new Promise<FormattedExecutionResult<any>>((resolve, reject) => {
    client.subscribe(
      { query, variables },
      {
        next: resolve,
        error: (err) =>
          Array.isArray(err) ? resolve({ errors: err as GraphQLFormattedError[] }) : reject(err),
        complete: () => {},
      },
    );
  });
}

describe('mutation createInbox and usernames', () => {
  it.each([['a..b'], ['.lead'], ['trail.'], ['has space'], ['x'.repeat(65)], ['ünï']])(
    'answers INVALID_USERNAME with 400 for %j',
    async (username) => {
      const key = await service.createAccount('premium');

      const response = await createInbox(key, { username });

      expect(response.status).toBe(400);
      expect(codes(response.body)).toEqual(['INVALID_USERNAME']);
    },
  );

  it.each([['postmaster'], ['Abuse'], ['mailer-daemon']])(
    'refuses the reserved name %s with INVALID_USERNAME',
    async (username) => {
      const key = await service.createAccount('premium');

      const response = await createInbox(key, { username });

      expect(codes(response.body)).toEqual(['INVALID_USERNAME']);
    },
  );

  it('lets one of two simultaneous requests for an address win; the other is ADDRESS_TAKEN', async () => {
    const [first, second] = [
      await service.createAccount('premium'),
      await service.createAccount('premium'),
    ];
    const username = `race${Date.now()}`;

    const results = await Promise.all([
      createInbox(first, { username }),
      createInbox(second, { username }),
    ]);

    const outcomes = results.map((r) => codes(r.body)[0] ?? 'created').sort();
    expect(outcomes).toEqual(['ADDRESS_TAKEN', 'created']);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
  });

  it('answers ADDRESS_TAKEN for an address deleted before, even to its holder', async () => {
    const key = await service.createAccount('premium');
    const username = `reuse${Date.now()}`;
    const created = await createInbox(key, { username });
    await gql(key, 'mutation ($id: ID!) { deleteInbox(id: $id) }', {
      id: created.body.data.createInbox.inbox.id,
    });

    const again = await createInbox(key, { username });

    expect(codes(again.body)).toEqual(['ADDRESS_TAKEN']);
  });
});

describe('mutation createInbox and domains', () => {
  it('answers PREMIUM_REQUIRED with 403 when a free key asks for another shared domain', async () => {
    const key = await service.createAccount('free');

    const response = await createInbox(key, { domain: SPARE });

    expect(response.status).toBe(403);
    expect(codes(response.body)).toEqual(['PREMIUM_REQUIRED']);
  });

  it('answers DOMAIN_NOT_AVAILABLE with 422 for a domain that is not served', async () => {
    const key = await service.createAccount('premium');

    const response = await createInbox(key, { domain: 'elsewhere.example' });

    expect(response.status).toBe(422);
    expect(codes(response.body)).toEqual(['DOMAIN_NOT_AVAILABLE']);
  });

  it('creates a premium inbox on another shared domain, matched in any case', async () => {
    const key = await service.createAccount('premium');

    const response = await createInbox(key, { domain: SPARE.toUpperCase() });

    expect(response.body.data.createInbox.inbox.domain).toBe(SPARE);
  });

  it.each([
    ['free', [PRIMARY]],
    ['premium', [PRIMARY, SPARE]],
  ] as const)('lists for a %s key exactly the domains it may use', async (plan, domains) => {
    const key = await service.createAccount(plan);

    const response = await gql(key, '{ me { availableDomains } }');

    expect(response.body.data.me.availableDomains).toEqual(domains);
  });
});

describe('inbox lifetime over GraphQL', () => {
  it.each([
    ['free', FREE_TTL_MS],
    ['premium', PREMIUM_TTL_MS],
  ] as const)('gives a %s inbox its plan lifetime', async (plan, ttlMs) => {
    const key = await service.createAccount(plan);

    const response = await createInbox(key);

    const { createdAt, expiresAt } = response.body.data.createInbox.inbox;
    expect(Date.parse(expiresAt) - Date.parse(createdAt)).toBe(ttlMs);
  });

  /** An inbox of a new account whose expiry has been moved into the past. */
  async function expiredInbox(): Promise<{ key: string; id: string }> {
    const key = await service.createAccount('premium');
    const created = await createInbox(key);
    const id = created.body.data.createInbox.inbox.id as string;
    await service.sql(
      `update "inbox" set "expires_at" = now() - interval '1 second' where "id" = $1`,
      [id],
    );
    return { key, id };
  }

  it('answers NOT_FOUND for an expired inbox and leaves it out of inboxes', async () => {
    const { key, id } = await expiredInbox();

    const read = await gql(key, 'query ($id: ID!) { inbox(id: $id) { id } }', { id });
    const listed = await gql(key, '{ inboxes { totalCount nodes { id } } }');

    expect(codes(read.body)).toEqual(['NOT_FOUND']);
    expect(listed.body.data.inboxes).toEqual({ totalCount: 0, nodes: [] });
  });

  it('answers NOT_FOUND when deleting an expired inbox', async () => {
    const { key, id } = await expiredInbox();

    const deleted = await gql(key, 'mutation ($id: ID!) { deleteInbox(id: $id) }', { id });

    expect(codes(deleted.body)).toEqual(['NOT_FOUND']);
  });

  it('refuses a subscription to an expired inbox with NOT_FOUND', async () => {
    const { key, id } = await expiredInbox();
    const client = wsClient(key);

    const result = await overWs(
      client,
      'subscription ($id: ID) { emailReceived(inboxId: $id) { id } }',
      { id },
    );

    expect(result.errors?.map((e) => e.extensions?.['code'])).toEqual(['NOT_FOUND']);
    await client.dispose();
  });
});

describe('quota over graphql-ws operations', () => {
  it('counts each websocket operation with the HTTP requests', async () => {
    const key = await service.createAccount('free');
    const client = wsClient(key);

    const first = await overWs(client, '{ me { quota { used } } }');
    const second = await overWs(client, '{ me { quota { used } } }');
    const overHttp = await gql(key, '{ me { quota { used } } }');

    expect([first, second].map((r) => r.data?.me.quota.used)).toEqual([1, 2]);
    expect(overHttp.body.data.me.quota.used).toBe(3);
    await client.dispose();
  });

  it('answers RATE_LIMITED over the websocket once the day is spent over HTTP', async () => {
    const key = await service.createAccount('free');
    for (let i = 0; i < FREE_DAILY_REQUESTS; i += 1) await gql(key, '{ me { id } }');
    const client = wsClient(key);

    const refused = await overWs(client, '{ me { id } }');

    expect(refused.errors?.map((e) => e.extensions?.['code'])).toEqual(['RATE_LIMITED']);
    await client.dispose();
  });
});
