import { createHash } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { FREE_DAILY_REQUESTS, ISO_MS } from '../../helpers/api-values';
import { sendMail } from '../../helpers/mail';
import { emailPath, INBOX, restApi } from '../../helpers/rest-api';
import { startService, type TestService } from '../../helpers/service';
import { LOGO, LOGO_CID, REPORT, type RichMessage, storedMail } from '../../helpers/stored-mail';

// The routes for one email beside api-v1.md's four, in the same error shape and quota:
// reading one email as JSON.

let service: TestService;
const { call, createInbox } = restApi(() => service);
const { inboxWithMail, sendRichMessage } = storedMail(() => service);

/** A premium account with one message carrying every field, read by most tests below. */
let rich: RichMessage;

beforeAll(async () => {
  service = await startService();
  rich = await sendRichMessage();
});

afterAll(async () => {
  await service?.stop();
});

describe('GET /api/v1/inbox/:id/emails/:emailId', () => {
  it('returns the documented fields in the success envelope', async () => {
    const response = await call('GET', emailPath(rich.inboxId, rich.emailId), rich.key);

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      success: true,
      data: {
        id: rich.emailId,
        from: 'ada@example.com',
        subject: 'Quarterly report',
        text: expect.stringContaining('The report is attached.'),
        html: expect.stringContaining(`<img src="cid:${LOGO_CID}">`),
        received_at: expect.stringMatching(ISO_MS),
      },
      meta: { rate_limit: { limit: null, used: expect.any(Number) } },
    });
  });

  it('names the sender and every address list', async () => {
    const response = await call('GET', emailPath(rich.inboxId, rich.emailId), rich.key);

    expect(response.body.data).toMatchObject({
      inbox_id: rich.inboxId,
      from_name: 'Ada Lovelace',
      to: [
        { name: '', address: rich.address },
        { name: 'Grace Hopper', address: 'grace@example.org' },
      ],
      cc: [{ name: 'Carol Shaw', address: 'carol@example.net' }],
      reply_to: [{ name: 'Replies', address: 'replies@example.com' }],
      envelope_from: 'bounces@example.com',
    });
  });

  it('gives the Message-ID, the Date header and the size of the raw message', async () => {
    const [stored] = await service.sql<{ n: number }>(
      'select octet_length("content") as "n" from "raw_message" where "email_id" = $1',
      [rich.emailId],
    );

    const response = await call('GET', emailPath(rich.inboxId, rich.emailId), rich.key);

    expect(response.body.data).toMatchObject({
      message_id: rich.messageId,
      date: '2026-03-30T12:00:00.000Z',
      size: stored?.n,
    });
  });

  it('lists the headers in message order', async () => {
    const response = await call('GET', emailPath(rich.inboxId, rich.emailId), rich.key);

    const headers: { name: string; value: string }[] = response.body.data.headers;
    const names = headers.map((h) => h.name.toLowerCase());
    expect(names.indexOf('from')).toBeLessThan(names.indexOf('subject'));
    expect(names.indexOf('subject')).toBeLessThan(names.indexOf('content-type'));
    expect(headers).toContainEqual({ name: 'X-Campaign', value: 'spring' });
  });

  it('describes the attachment and the inline image without their content', async () => {
    const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

    const response = await call('GET', emailPath(rich.inboxId, rich.emailId), rich.key);

    const attachments: { filename: string }[] = response.body.data.attachments;
    const byName = [...attachments].sort((a, b) =>
      String(a.filename).localeCompare(String(b.filename)),
    );
    expect(byName).toEqual([
      {
        id: expect.any(String),
        filename: 'logo.png',
        content_type: 'image/png',
        size: LOGO.length,
        content_id: LOGO_CID,
        inline: true,
        checksum: sha256(LOGO),
      },
      {
        id: expect.any(String),
        filename: 'report.pdf',
        content_type: 'application/pdf',
        size: REPORT.length,
        content_id: null,
        inline: false,
        checksum: sha256(REPORT),
      },
    ]);
  });
});

describe('GET /api/v1/inbox/:id/emails/:emailId and attachment order', () => {
  it('lists the attachments in the order of their parts in the message', async () => {
    const inbox = await createInbox(rich.key);
    const names = Array.from({ length: 12 }, (_, i) => `part-${String(i).padStart(2, '0')}.txt`);
    await sendMail(service.smtpPort, {
      to: inbox.email,
      text: 'twelve files',
      attachments: names.map((filename) => ({ filename, content: filename })),
    });
    const [email] = await service.sql<{ id: string }>(
      'select "id" from "email" where "inbox_id" = $1',
      [inbox.id],
    );

    const response = await call('GET', emailPath(inbox.id, email!.id), rich.key);

    expect(response.body.data.attachments.map((a: { filename: string }) => a.filename)).toEqual(
      names,
    );
  });
});

describe('GET /api/v1/inbox/:id/emails/:emailId and parse_problem', () => {
  it('is null for a message that reads cleanly', async () => {
    const response = await call('GET', emailPath(rich.inboxId, rich.emailId), rich.key);

    expect(response.body.data.parse_problem).toBeNull();
  });

  it('says which charset was guessed for raw 8-bit header bytes', async () => {
    const inbox = await createInbox(rich.key);
    const raw = Buffer.concat([
      Buffer.from('From: a@example.com\r\nSubject: caf'),
      Buffer.from([0xe9]),
      Buffer.from(' au lait\r\n\r\nbody\r\n'),
    ]);
    await sendMail(service.smtpPort, {
      to: inbox.email,
      raw,
      envelope: { from: 'a@example.com', to: [inbox.email] },
    });
    const [email] = await service.sql<{ id: string }>(
      'select "id" from "email" where "inbox_id" = $1',
      [inbox.id],
    );

    const response = await call('GET', emailPath(inbox.id, email!.id), rich.key);

    expect(response.body.data.subject).toBe('café au lait');
    expect(response.body.data.parse_problem).toMatch(/8-bit header bytes read as/);
  });
});

describe('GET /api/v1/inbox/:id', () => {
  it('shows each email with the same fields as the single-email route', async () => {
    const single = await call('GET', emailPath(rich.inboxId, rich.emailId), rich.key);

    const list = await call('GET', `${INBOX}/${rich.inboxId}`, rich.key);

    expect(list.body.data.emails).toEqual([single.body.data]);
  });
});

describe('meta.rate_limit on GET /api/v1/inbox/:id/emails/:emailId', () => {
  it('includes the current request', async () => {
    const fixture = await inboxWithMail('free');

    const response = await call('GET', emailPath(fixture.inboxId, fixture.emailId), fixture.key);

    expect(response.body.meta).toEqual({ rate_limit: { limit: FREE_DAILY_REQUESTS, used: 2 } });
  });
});
