import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ISO_MS, PRIMARY, UUID } from '../../helpers/api-values';
import { errorCodes, graphqlApi, withoutQuota } from '../../helpers/graphql-api';
import { sendMail } from '../../helpers/mail';
import { startService, type TestService } from '../../helpers/service';

// Listing, creating and deleting inboxes over GraphQL (POST /graphql); see schema.graphql.

let service: TestService;
const { gql, createInbox } = graphqlApi(() => service);

beforeAll(async () => {
  service = await startService();
});

afterAll(async () => {
  await service?.stop();
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
