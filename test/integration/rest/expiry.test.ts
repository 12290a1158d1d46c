import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { request } from '../../helpers/http';
import { refusedCode, sendMail } from '../../helpers/mail';
import { startService, type TestService } from '../../helpers/service';

// An expired inbox behaves like a deleted one on every route. Instead of waiting out the
// 30-minute lifetime, each test moves the inbox's expiry into the past in the database.

const INBOX = '/api/v1/inbox';

let service: TestService;

beforeAll(async () => {
  service = await startService();
});

afterAll(async () => {
  await service?.stop();
});

interface Created {
  id: string;
  email: string;
}

async function createInbox(key: string, body?: Record<string, string>): Promise<Created> {
  const created = await request(service.httpUrl, 'POST', INBOX, { key, body });
  expect(created.status).toBe(201);
  return created.body.data as Created;
}

async function expire(inboxId: string): Promise<void> {
  await service.sql(
    `update "inbox" set "expires_at" = now() - interval '1 second' where "id" = $1`,
    [inboxId],
  );
}

describe('an expired inbox', () => {
  it('is 404 NOT_FOUND on GET /api/v1/inbox/:id', async () => {
    const key = await service.createAccount('free');
    const inbox = await createInbox(key);
    await expire(inbox.id);

    const read = await request(service.httpUrl, 'GET', `${INBOX}/${inbox.id}`, { key });

    expect(read.status).toBe(404);
    expect(read.body).toEqual({
      success: false,
      error: { code: 'NOT_FOUND', message: 'Inbox not found' },
    });
  });

  it('is 404 NOT_FOUND on DELETE /api/v1/inbox/:id', async () => {
    const key = await service.createAccount('free');
    const inbox = await createInbox(key);
    await expire(inbox.id);

    const deleted = await request(service.httpUrl, 'DELETE', `${INBOX}/${inbox.id}`, { key });

    expect(deleted.status).toBe(404);
    expect(deleted.body.error.code).toBe('NOT_FOUND');
  });

  it('is left out of GET /api/v1/inbox and its total', async () => {
    const key = await service.createAccount('free');
    const kept = await createInbox(key);
    const gone = await createInbox(key);
    await expire(gone.id);

    const listed = await request(service.httpUrl, 'GET', INBOX, { key });

    expect(listed.body.data.map((i: Created) => i.id)).toEqual([kept.id]);
    expect(listed.body.meta.total).toBe(1);
  });

  it('refuses mail at RCPT with 550 5.1.1', async () => {
    const key = await service.createAccount('free');
    const inbox = await createInbox(key);
    await expire(inbox.id);

    const refused = await refusedCode(sendMail(service.smtpPort, { to: inbox.email, text: 'x' }));

    expect(refused.code).toBe(550);
    expect(refused.text).toContain('5.1.1');
  });

  it('keeps its address: asking for it again is 409 ADDRESS_TAKEN', async () => {
    const key = await service.createAccount('premium');
    const inbox = await createInbox(key, { username: `lapsed${Date.now()}` });
    await expire(inbox.id);

    const again = await request(service.httpUrl, 'POST', INBOX, {
      key,
      body: { username: inbox.email.split('@')[0] },
    });

    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ADDRESS_TAKEN');
  });
});
