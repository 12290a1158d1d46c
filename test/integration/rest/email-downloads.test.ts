import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { MISSING_ID } from '../../helpers/api-values';
import { emailPath, errorBody, restApi } from '../../helpers/rest-api';
import { startService, type TestService } from '../../helpers/service';
import {
  LOGO,
  type MailIds,
  REPORT,
  type RichMessage,
  storedMail,
} from '../../helpers/stored-mail';

// The routes for one email beside api-v1.md's four, in the same error shape and quota:
// the raw message and the attachments as downloads.

let service: TestService;
const { call, fetchBytes } = restApi(() => service);
const { inboxWithMail, sendRichMessage, sendWithPart } = storedMail(() => service);

/** A premium account with one message carrying every field, read by most tests below. */
let rich: RichMessage;
/** Ids of a message of another account with one attachment; nothing changes them. */
let owned: MailIds;

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
  rich = await sendRichMessage();
  owned = await inboxWithMail();
});

afterAll(async () => {
  await service?.stop();
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
