import { createHash } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { parseMessage } from './parse-message';

const crlf = (lines: string[]): Buffer => Buffer.from(lines.join('\r\n'));

describe('parseMessage', () => {
  it('reads the fields of a plain message', async () => {
    const parsed = await parseMessage(
      crlf([
        'From: "Sign Up" <signup@example.com>',
        'To: a@dustmail.net, "B" <b@dustmail.net>',
        'Subject: =?UTF-8?Q?V=C3=A9rifiez?= your address',
        'Date: Fri, 04 Dec 2026 12:00:00 +0000',
        'Message-ID: <abc@example.com>',
        '',
        'Your code is 381902',
        '',
      ]),
    );

    expect(parsed).toMatchObject({
      from: { name: 'Sign Up', address: 'signup@example.com' },
      to: [
        { name: '', address: 'a@dustmail.net' },
        { name: 'B', address: 'b@dustmail.net' },
      ],
      subject: 'Vérifiez your address',
      date: new Date('2026-12-04T12:00:00.000Z'),
      messageId: '<abc@example.com>',
      html: null,
      problem: null,
    });
    expect(parsed.text.trim()).toBe('Your code is 381902');
  });

  it('makes the text from the HTML when there is only HTML', async () => {
    const parsed = await parseMessage(
      crlf([
        'From: a@example.com',
        'Subject: html only',
        'Content-Type: text/html; charset=utf-8',
        '',
        '<p>Click <a href="https://example.com/v">verify</a></p>',
      ]),
    );

    expect(parsed.html).toContain('<a href="https://example.com/v">');
    expect(parsed.text).toContain('verify');
    expect(parsed.text).not.toContain('<p>');
  });

  it('keeps attachments with their checksums', async () => {
    const parsed = await parseMessage(
      crlf([
        'From: a@example.com',
        'Content-Type: multipart/mixed; boundary="b1"',
        '',
        '--b1',
        'Content-Type: text/plain',
        '',
        'see attached',
        '--b1',
        'Content-Type: text/csv; name="r.csv"',
        'Content-Disposition: attachment; filename="r.csv"',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from('a,b\n1,2\n').toString('base64'),
        '--b1--',
        '',
      ]),
    );

    expect(parsed.attachments).toEqual([
      expect.objectContaining({
        filename: 'r.csv',
        contentType: 'text/csv',
        size: 8,
        inline: false,
        checksum: createHash('sha256').update('a,b\n1,2\n').digest('hex'),
      }),
    ]);
    expect(parsed.attachments[0]?.content.toString()).toBe('a,b\n1,2\n');
  });

  it('never throws on garbage and keeps a subject-less message', async () => {
    const parsed = await parseMessage(Buffer.from([0xff, 0xfe, 0x00, 0x0a, 0x0d, 0x0a, 0x41]));

    expect(parsed.subject).toBeNull();
    expect(typeof parsed.text).toBe('string');
  });
});
