import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ISO_MS, MISSING_ID } from '../../helpers/api-values';
import { errorCodes, graphqlApi, withoutQuota } from '../../helpers/graphql-api';
import { sendMail } from '../../helpers/mail';
import { startService, type TestService } from '../../helpers/service';

// One inbox and the pages of its emails over GraphQL (POST /graphql); see schema.graphql.

let service: TestService;
const { gql, createInbox } = graphqlApi(() => service);

beforeAll(async () => {
  service = await startService();
});

afterAll(async () => {
  await service?.stop();
});

/** Sends messages one after another, so each has its own receive time. */
async function sendSeveral(to: string, subjects: string[]): Promise<void> {
  for (const subject of subjects) await sendMail(service.smtpPort, { to, subject, text: subject });
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

/** A cursor as the server writes one, around any text. */
function cursorOf(text: string): string {
  return Buffer.from(text).toString('base64url');
}

const TIME = '2020-01-01T00:00:00.000Z';
const ID = '00000000-0000-0000-0000-000000000000';

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

  it('reads cursors at the first instant of year 1 and the last of year 9999 as positions', async () => {
    const key = await service.createAccount('premium');
    const inbox = await createInbox(key);
    await sendSeveral(inbox.email, ['only']);

    const earliest = await emailsPage(
      key,
      inbox.id,
      10,
      cursorOf(`0001-01-01T00:00:00.000Z|${ID}`),
    );
    const latest = await emailsPage(key, inbox.id, 10, cursorOf(`9999-12-31T23:59:59.999Z|${ID}`));

    expect(earliest.edges).toEqual([]);
    expect(latest.edges.map((e) => e.node.subject)).toEqual(['only']);
  });

  it.each([
    ['a page size over 100', { first: 101 }],
    ['a negative page size', { first: -1 }],
    ['a cursor that is not one', { first: 2, after: 'not-a-cursor' }],
    ['a cursor whose id is not a UUID', { first: 2, after: cursorOf(`${TIME}|${'a'.repeat(36)}`) }],
    [
      'a cursor whose id is only dashes',
      { first: 2, after: cursorOf(`${TIME}|${'-'.repeat(36)}`) },
    ],
    [
      'a cursor past the last date',
      { first: 2, after: cursorOf(`+275760-09-13T00:00:00.000Z|${ID}`) },
    ],
    ['a cursor in year 0', { first: 2, after: cursorOf(`0000-01-01T00:00:00.000Z|${ID}`) }],
    [
      'a cursor before the first date',
      { first: 2, after: cursorOf(`-271821-04-20T00:00:00.000Z|${ID}`) },
    ],
  ])('answers VALIDATION_ERROR for %s', async (_what, args) => {
    const key = await service.createAccount('premium');
    const inbox = await createInbox(key);

    const response = await gql(key, EMAILS_PAGE, { id: inbox.id, ...args });

    expect(response.status).toBe(400);
    expect(errorCodes(response.body)).toEqual(['VALIDATION_ERROR']);
  });
});
