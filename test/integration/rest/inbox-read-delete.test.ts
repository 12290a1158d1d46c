import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ISO_MS, PRIMARY, SPARE, UUID } from '../../helpers/api-values';
import { sendMail } from '../../helpers/mail';
import { errorBody, INBOX, type InboxJson, restApi } from '../../helpers/rest-api';
import { startService, type TestService } from '../../helpers/service';

// The contract under test is api-v1.md: field names, shapes and status codes are exact.

let service: TestService;
const { call, createInbox, newAccount } = restApi(() => service);

beforeAll(async () => {
  service = await startService({ DUSTMAIL_DOMAINS: `${PRIMARY},${SPARE}` });
});

afterAll(async () => {
  await service?.stop();
});

describe('GET /api/v1/inbox', () => {
  it("lists the account's inboxes newest first with their email counts", async () => {
    const { key } = await newAccount('free');
    const older = await createInbox(key);
    const newer = await createInbox(key);
    await sendMail(service.smtpPort, { to: older.email, subject: 'one', text: 'first' });

    const response = await call('GET', INBOX, key);

    expect(response.status).toBe(200);
    const listed = (inbox: InboxJson, count: number) => ({
      id: inbox.id,
      email: inbox.email,
      domain: PRIMARY,
      created_at: expect.stringMatching(ISO_MS),
      expires_at: expect.stringMatching(ISO_MS),
      email_count: count,
    });
    expect(response.body).toEqual({
      success: true,
      data: [listed(newer, 0), listed(older, 1)],
      meta: { total: 2, plan: 'free', rate_limit: { limit: 100, used: 3 } },
    });
  });

  it('returns an empty list for an account without inboxes', async () => {
    const { key } = await newAccount('premium');

    const response = await call('GET', INBOX, key);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      success: true,
      data: [],
      meta: { total: 0, plan: 'premium', rate_limit: { limit: null, used: 1 } },
    });
  });

  it('lists at most 50 inboxes while meta.total counts them all', async () => {
    const { key } = await newAccount('premium');
    for (let i = 0; i < 51; i += 1) await createInbox(key);

    const response = await call('GET', INBOX, key);

    expect(response.body.data).toHaveLength(50);
    expect(response.body.meta.total).toBe(51);
  });

  it("never lists another account's inboxes", async () => {
    const owner = await newAccount('free');
    const other = await newAccount('free');
    await createInbox(owner.key);

    const response = await call('GET', INBOX, other.key);

    expect(response.body.data).toEqual([]);
    expect(response.body.meta.total).toBe(0);
  });
});

describe('GET /api/v1/inbox/:id', () => {
  it('returns the inbox and its emails newest first with full content', async () => {
    const { key } = await newAccount('free');
    const inbox = await createInbox(key);
    await sendMail(service.smtpPort, {
      to: inbox.email,
      from: 'Alice <alice@example.com>',
      subject: 'Plain only',
      text: 'Just text here',
    });
    await sendMail(service.smtpPort, {
      to: inbox.email,
      from: 'bob@example.org',
      subject: 'HTML only',
      html: '<p>Only <b>markup</b> here</p>',
    });

    const response = await call('GET', `${INBOX}/${inbox.id}`, key);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      success: true,
      data: {
        inbox: {
          id: inbox.id,
          email: inbox.email,
          domain: PRIMARY,
          created_at: expect.stringMatching(ISO_MS),
          expires_at: expect.stringMatching(ISO_MS),
        },
        emails: [
          expect.objectContaining({
            id: expect.stringMatching(UUID),
            from: 'bob@example.org',
            subject: 'HTML only',
            text: expect.stringMatching(/Only\s+markup\s+here/i),
            // The final line break of a single-part body belongs to the body.
            html: expect.stringMatching(/^<p>Only <b>markup<\/b> here<\/p>\s*$/),
            received_at: expect.stringMatching(ISO_MS),
          }),
          expect.objectContaining({
            id: expect.stringMatching(UUID),
            from: 'alice@example.com',
            subject: 'Plain only',
            text: expect.stringContaining('Just text here'),
            html: null,
            received_at: expect.stringMatching(ISO_MS),
          }),
        ],
      },
      meta: { email_count: 2, rate_limit: { limit: 100, used: 2 } },
    });
  });

  it("answers 404 NOT_FOUND for another account's inbox", async () => {
    const owner = await newAccount('free');
    const other = await newAccount('free');
    const inbox = await createInbox(owner.key);

    const response = await call('GET', `${INBOX}/${inbox.id}`, other.key);

    expect(response.status).toBe(404);
    expect(response.body).toEqual(errorBody('NOT_FOUND', 'Inbox not found'));
  });

  it('answers 404 NOT_FOUND for an id that names no inbox', async () => {
    const { key } = await newAccount('free');

    const response = await call('GET', `${INBOX}/00000000-0000-4000-8000-000000000000`, key);

    expect(response.status).toBe(404);
    expect(response.body).toEqual(errorBody('NOT_FOUND', 'Inbox not found'));
  });

  it('answers 400 VALIDATION_ERROR for an id that is not a UUID', async () => {
    const { key } = await newAccount('free');

    const response = await call('GET', `${INBOX}/not-a-uuid`, key);

    expect(response.status).toBe(400);
    expect(response.body).toEqual(errorBody('VALIDATION_ERROR'));
  });
});

describe('DELETE /api/v1/inbox/:id', () => {
  it('deletes the inbox: it is 404 afterwards and gone from the list', async () => {
    const { key } = await newAccount('free');
    const kept = await createInbox(key);
    const inbox = await createInbox(key);

    const response = await call('DELETE', `${INBOX}/${inbox.id}`, key);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ success: true, message: 'Inbox deleted' });
    const read = await call('GET', `${INBOX}/${inbox.id}`, key);
    expect(read.status).toBe(404);
    expect(read.body).toEqual(errorBody('NOT_FOUND', 'Inbox not found'));
    const list = await call('GET', INBOX, key);
    expect(list.body.data.map((i: { id: string }) => i.id)).toEqual([kept.id]);
    expect(list.body.meta.total).toBe(1);
  });

  it('answers 404 NOT_FOUND for an inbox deleted before', async () => {
    const { key } = await newAccount('free');
    const inbox = await createInbox(key);
    await call('DELETE', `${INBOX}/${inbox.id}`, key);

    const response = await call('DELETE', `${INBOX}/${inbox.id}`, key);

    expect(response.status).toBe(404);
    expect(response.body).toEqual(errorBody('NOT_FOUND', 'Inbox not found'));
  });

  it("answers 404 NOT_FOUND for another account's inbox and leaves it alone", async () => {
    const owner = await newAccount('free');
    const other = await newAccount('free');
    const inbox = await createInbox(owner.key);

    const response = await call('DELETE', `${INBOX}/${inbox.id}`, other.key);

    expect(response.status).toBe(404);
    expect(response.body).toEqual(errorBody('NOT_FOUND', 'Inbox not found'));
    const read = await call('GET', `${INBOX}/${inbox.id}`, owner.key);
    expect(read.status).toBe(200);
    expect(read.body.data.inbox.id).toBe(inbox.id);
  });
});
