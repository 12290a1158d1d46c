import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { FREE_DAILY_REQUESTS, MISSING_ID } from '../../helpers/api-values';
import { emailPath, errorBody, INBOX, restApi } from '../../helpers/rest-api';
import { startService, type TestService } from '../../helpers/service';
import { type MailIds, storedMail } from '../../helpers/stored-mail';

// The routes for one email beside api-v1.md's four, in the same error shape and quota:
// who may read what on each of them.

let service: TestService;
const { call, createInbox, fetchBytes } = restApi(() => service);
const { inboxWithMail } = storedMail(() => service);

/** Ids of a message with one attachment, for the refusals; nothing changes them. */
let owned: MailIds;
let ownedSpareInboxId: string;
let strangerKey: string;
/** Messages in an inbox deleted, and in one expired, before the tests run. */
let deleted: MailIds;
let expired: MailIds;

beforeAll(async () => {
  service = await startService();
  owned = await inboxWithMail();
  ownedSpareInboxId = (await createInbox(owned.key)).id;
  strangerKey = await service.createAccount('premium');
  deleted = await inboxWithMail();
  await call('DELETE', `${INBOX}/${deleted.inboxId}`, deleted.key);
  expired = await inboxWithMail();
  await service.sql(
    `update "inbox" set "expires_at" = now() - interval '1 second' where "id" = $1`,
    [expired.inboxId],
  );
});

afterAll(async () => {
  await service?.stop();
});

/** The three routes, each given the ids of an inbox, an email and one of its attachments. */
const ROUTES: [
  string,
  (ids: { inboxId: string; emailId: string; attachmentId: string }) => string,
][] = [
  ['GET /api/v1/inbox/:id/emails/:emailId', (ids) => emailPath(ids.inboxId, ids.emailId)],
  [
    'GET /api/v1/inbox/:id/emails/:emailId/raw',
    (ids) => `${emailPath(ids.inboxId, ids.emailId)}/raw`,
  ],
  [
    'GET /api/v1/inbox/:id/emails/:emailId/attachments/:attachmentId',
    (ids) => `${emailPath(ids.inboxId, ids.emailId)}/attachments/${ids.attachmentId}`,
  ],
];

describe.each(ROUTES)('%s', (_route, pathOf) => {
  it('answers 401 UNAUTHORIZED without a key', async () => {
    const response = await fetchBytes(pathOf(owned));

    expect(response.status).toBe(401);
    expect(response.json()).toEqual(errorBody('UNAUTHORIZED'));
  });

  it("answers 404 NOT_FOUND for another account's email", async () => {
    const response = await fetchBytes(pathOf(owned), strangerKey);

    expect(response.status).toBe(404);
    expect(response.json()).toEqual(errorBody('NOT_FOUND', 'Inbox not found'));
  });

  it('answers 404 NOT_FOUND for an email of another inbox of the same account', async () => {
    const response = await fetchBytes(pathOf({ ...owned, inboxId: ownedSpareInboxId }), owned.key);

    expect(response.status).toBe(404);
    expect(response.json()).toEqual(errorBody('NOT_FOUND', 'Email not found'));
  });

  it('answers 404 NOT_FOUND for an id that names no email', async () => {
    const response = await fetchBytes(pathOf({ ...owned, emailId: MISSING_ID }), owned.key);

    expect(response.status).toBe(404);
    expect(response.json()).toEqual(errorBody('NOT_FOUND', 'Email not found'));
  });

  it('answers 404 NOT_FOUND once the inbox is deleted', async () => {
    const response = await fetchBytes(pathOf(deleted), deleted.key);

    expect(response.status).toBe(404);
    expect(response.json()).toEqual(errorBody('NOT_FOUND', 'Inbox not found'));
  });

  it('answers 404 NOT_FOUND once the inbox has expired', async () => {
    const response = await fetchBytes(pathOf(expired), expired.key);

    expect(response.status).toBe(404);
    expect(response.json()).toEqual(errorBody('NOT_FOUND', 'Inbox not found'));
  });

  it('answers 400 VALIDATION_ERROR for an email id that is not a UUID', async () => {
    const response = await fetchBytes(pathOf({ ...owned, emailId: 'not-a-uuid' }), owned.key);

    expect(response.status).toBe(400);
    expect(response.json()).toEqual(errorBody('VALIDATION_ERROR'));
  });

  it('answers POST with 405 METHOD_NOT_ALLOWED and an Allow header', async () => {
    const response = await fetchBytes(pathOf(owned), owned.key, 'POST');

    expect(response.status).toBe(405);
    expect(response.json()).toEqual(errorBody('METHOD_NOT_ALLOWED'));
    expect(response.headers.get('allow')).toBe('HEAD, GET');
  });

  it('counts the request against the quota', async () => {
    const fixture = await inboxWithMail('free');

    const response = await fetchBytes(pathOf(fixture), fixture.key);

    expect(response.status).toBe(200);
    expect(response.headers.get('x-ratelimit-limit')).toBe(String(FREE_DAILY_REQUESTS));
    expect(response.headers.get('x-ratelimit-remaining')).toBe(String(FREE_DAILY_REQUESTS - 2));
  });
});
