import { createHash } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { request, type JsonResponse } from '../../helpers/http';
import { sendMail } from '../../helpers/mail';
import { startService, type TestService } from '../../helpers/service';

// The routes for one email beside api-v1.md's four, in the same error shape and quota.

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const INBOX = '/api/v1/inbox';
const MISSING_ID = '00000000-0000-4000-8000-000000000000';
const FREE_DAILY_REQUESTS = 100;

// Every byte value, so a text conversion anywhere on the way would show.
const REPORT = Buffer.concat([
  Buffer.from('%PDF-1.4\n'),
  Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
]);
const LOGO = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const LOGO_CID = 'logo@dustmail.test';

let service: TestService;

/** A premium account with one message carrying every field, read by most tests below. */
const rich = { key: '', inboxId: '', address: '', emailId: '', messageId: '', partsTo: '' };

/** Ids of a message with one attachment, for the refusals; nothing changes them. */
type MailIds = { key: string; inboxId: string; emailId: string; attachmentId: string };
let owned: MailIds;
let ownedSpareInboxId: string;
let strangerKey: string;
/** Messages in an inbox deleted, and in one expired, before the tests run. */
let deleted: MailIds;
let expired: MailIds;

function call(method: string, path: string, key?: string): Promise<JsonResponse> {
  return request(service.httpUrl, method, path, { key });
}

/** A response whose body is bytes; errors are still JSON, read with `json()`. */
async function fetchBytes(path: string, key?: string, method = 'GET') {
  const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
  const response = await fetch(`${service.httpUrl}${path}`, { method, headers });
  const bytes = Buffer.from(await response.arrayBuffer());
  return {
    status: response.status,
    headers: response.headers,
    bytes,
    json: () => JSON.parse(bytes.toString('utf8')) as unknown,
  };
}

function errorBody(code: string, message: unknown = expect.any(String)) {
  return { success: false, error: { code, message } };
}

async function createInbox(key: string): Promise<{ id: string; email: string }> {
  const created = await call('POST', INBOX, key);
  expect(created.status).toBe(201);
  return created.body.data;
}

/** Sends a message whose one attachment is the given MIME part and returns their ids. */
async function sendWithPart(to: string, headers: string, content: Buffer) {
  const raw = `${headers}\r\nContent-Transfer-Encoding: base64\r\n\r\n${content.toString('base64')}`;
  await sendMail(service.smtpPort, {
    to,
    subject: 'One part',
    text: 'See the part',
    attachments: [{ raw }],
  });
  const rows = await service.sql<{ inbox_id: string; email_id: string; id: string }>(
    `select e."inbox_id", a."email_id", a."id" from "attachment" a join "email" e on e."id" = a."email_id"
     join "inbox" i on i."id" = e."inbox_id" where i."address" = $1
     order by e."received_at" desc limit 1`,
    [to],
  );
  const row = rows[0];
  if (!row) throw new Error('the part was not stored');
  return { inboxId: row.inbox_id, emailId: row.email_id, attachmentId: row.id };
}

/** A new account's inbox holding one message with one attachment. */
async function inboxWithMail(plan: 'free' | 'premium' = 'premium'): Promise<MailIds> {
  const key = await service.createAccount(plan);
  const inbox = await createInbox(key);
  const part = 'Content-Type: text/plain\r\nContent-Disposition: attachment; filename="a.txt"';
  const ids = await sendWithPart(inbox.email, part, Buffer.from('attached text'));
  return { key, ...ids };
}

function emailPath(inboxId: string, emailId: string): string {
  return `${INBOX}/${inboxId}/emails/${emailId}`;
}

/** The id of one of the rich message's attachments, found through the API. */
async function richAttachmentId(filename: string): Promise<string> {
  const response = await call('GET', emailPath(rich.inboxId, rich.emailId), rich.key);
  const attachments: { id: string; filename: string }[] = response.body.data.attachments;
  const found = attachments.find((a) => a.filename === filename);
  if (!found) throw new Error(`no attachment named ${filename}`);
  return found.id;
}

beforeAll(async () => {
  service = await startService();

  rich.key = await service.createAccount('premium');
  const inbox = await createInbox(rich.key);
  const info = await sendMail(service.smtpPort, {
    from: 'Ada Lovelace <ada@example.com>',
    to: [inbox.email, 'Grace Hopper <grace@example.org>'],
    cc: 'Carol Shaw <carol@example.net>',
    replyTo: 'Replies <replies@example.com>',
    date: new Date('2026-03-30T12:00:00.000Z'),
    subject: 'Quarterly report',
    headers: { 'X-Campaign': 'spring' },
    text: 'The report is attached.',
    html: `<p>The report is attached.</p><img src="cid:${LOGO_CID}">`,
    attachments: [
      { filename: 'report.pdf', content: REPORT, contentType: 'application/pdf' },
      { filename: 'logo.png', content: LOGO, contentType: 'image/png', cid: LOGO_CID },
    ],
    envelope: { from: 'bounces@example.com', to: [inbox.email] },
  });
  const [email] = await service.sql<{ id: string }>(
    'select "id" from "email" where "inbox_id" = $1',
    [inbox.id],
  );
  const parts = await createInbox(rich.key);
  Object.assign(rich, {
    inboxId: inbox.id,
    address: inbox.email,
    emailId: email?.id,
    messageId: info.messageId,
    partsTo: parts.email,
  });

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

describe('GET /api/v1/inbox/:id/emails/:emailId/raw', () => {
  it('returns the stored raw bytes unchanged', async () => {
    const [stored] = await service.sql<{ content: Buffer }>(
      'select "content" from "raw_message" where "email_id" = $1',
      [rich.emailId],
    );

    const response = await fetchBytes(`${emailPath(rich.inboxId, rich.emailId)}/raw`, rich.key);

    expect(response.status).toBe(200);
    expect(stored?.content.length).toBeGreaterThan(0);
    expect(response.bytes.equals(stored?.content ?? Buffer.alloc(0))).toBe(true);
  });

  it('starts with the Received header the server added', async () => {
    const response = await fetchBytes(`${emailPath(rich.inboxId, rich.emailId)}/raw`, rich.key);

    expect(response.bytes.subarray(0, 9).toString('latin1')).toBe('Received:');
  });

  it('serves message/rfc822 as a download the browser may not sniff', async () => {
    const response = await fetchBytes(`${emailPath(rich.inboxId, rich.emailId)}/raw`, rich.key);

    expect(response.headers.get('content-type')).toBe('message/rfc822');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="${rich.emailId}.eml"`,
    );
  });
});

describe('GET /api/v1/inbox/:id/emails/:emailId/attachments/:attachmentId', () => {
  const attachmentPath = (id: string) =>
    `${emailPath(rich.inboxId, rich.emailId)}/attachments/${id}`;

  it('returns the decoded content', async () => {
    const id = await richAttachmentId('report.pdf');

    const response = await fetchBytes(attachmentPath(id), rich.key);

    expect(response.status).toBe(200);
    expect(response.bytes.equals(REPORT)).toBe(true);
  });

  it('serves it as a sandboxed download under its name, with its type and nosniff', async () => {
    const id = await richAttachmentId('report.pdf');

    const response = await fetchBytes(attachmentPath(id), rich.key);

    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="report.pdf"');
    expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
  });

  it('serves an inline image as an attachment too, with its own type', async () => {
    const id = await richAttachmentId('logo.png');

    const response = await fetchBytes(attachmentPath(id), rich.key);

    expect(response.bytes.equals(LOGO)).toBe(true);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="logo.png"');
  });

  it.each([
    [
      'a path that climbs',
      "filename*=utf-8''..%2F..%2Fetc%2Fpasswd",
      'attachment; filename="passwd"',
    ],
    [
      'quotes',
      'filename="say \\"hi\\".txt"',
      `attachment; filename="say _hi_.txt"; filename*=UTF-8''say%20%22hi%22.txt`,
    ],
    [
      'a line break',
      "filename*=utf-8''evil%0D%0AX-Injected%3A%201.txt",
      'attachment; filename="evilX-Injected: 1.txt"',
    ],
    [
      'non-ASCII letters',
      "filename*=utf-8''r%C3%A9sum%C3%A9.pdf",
      `attachment; filename="resume.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf`,
    ],
    ['no name', '', 'attachment; filename="attachment.bin"'],
  ])('makes a safe Content-Disposition for %s', async (_what, parameter, expected) => {
    const disposition = parameter ? `attachment; ${parameter}` : 'attachment';
    const headers = `Content-Type: application/octet-stream\r\nContent-Disposition: ${disposition}`;
    const sent = await sendWithPart(rich.partsTo, headers, Buffer.from('payload'));

    const response = await fetchBytes(
      `${emailPath(sent.inboxId, sent.emailId)}/attachments/${sent.attachmentId}`,
      rich.key,
    );

    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe(expected);
    expect(response.headers.get('x-injected')).toBeNull();
  });

  it('answers 404 NOT_FOUND for an id that names no attachment', async () => {
    const response = await fetchBytes(attachmentPath(MISSING_ID), rich.key);

    expect(response.status).toBe(404);
    expect(response.json()).toEqual(errorBody('NOT_FOUND', 'Attachment not found'));
  });

  it('answers 404 NOT_FOUND for an attachment of another email', async () => {
    const response = await fetchBytes(attachmentPath(owned.attachmentId), rich.key);

    expect(response.status).toBe(404);
    expect(response.json()).toEqual(errorBody('NOT_FOUND', 'Attachment not found'));
  });

  it('answers 400 VALIDATION_ERROR for an attachment id that is not a UUID', async () => {
    const response = await fetchBytes(attachmentPath('not-a-uuid'), rich.key);

    expect(response.status).toBe(400);
    expect(response.json()).toEqual(errorBody('VALIDATION_ERROR'));
  });
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

describe('meta.rate_limit on GET /api/v1/inbox/:id/emails/:emailId', () => {
  it('includes the current request', async () => {
    const fixture = await inboxWithMail('free');

    const response = await call('GET', emailPath(fixture.inboxId, fixture.emailId), fixture.key);

    expect(response.body.meta).toEqual({ rate_limit: { limit: FREE_DAILY_REQUESTS, used: 2 } });
  });
});
