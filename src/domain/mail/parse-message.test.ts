import { createHash } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { crlf, fixture } from '../../../test/helpers/raw-mail';
import { extractAttachment, parseMessage } from './parse-message';

// The fields parseMessage reads. Charsets, line endings and header blocks: parse-message-*.test.ts.

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
  });

  it('leaves html null when there is no HTML part', async () => {
    const raw = crlf(['From: a@example.com', 'Content-Type: text/plain', '', 'plain only']);

    const parsed = await parseMessage(raw);

    expect(parsed.html).toBeNull();
  });

  it('lists an image referenced by cid: as an inline attachment', async () => {
    const raw = fixture('related-inline-image.eml');

    const parsed = await parseMessage(raw);

    expect(parsed.attachments).toEqual([
      expect.objectContaining({
        contentType: 'image/png',
        contentId: 'logo@example.com',
        inline: true,
      }),
    ]);
  });

  it('reads a sender given as a bare local part', async () => {
    const raw = crlf(['From: MAILER-DAEMON', 'Subject: Undelivered Mail', '', 'x']);

    const parsed = await parseMessage(raw);

    expect(parsed.from).toEqual({ name: '', address: 'MAILER-DAEMON' });
  });

  it('never throws on garbage and keeps a subject-less message', async () => {
    const parsed = await parseMessage(Buffer.from([0xff, 0xfe, 0x00, 0x0a, 0x0d, 0x0a, 0x41]));

    expect(parsed.subject).toBeNull();
    expect(typeof parsed.text).toBe('string');
  });
});

describe('extractAttachment', () => {
  const pdf = Buffer.from('%PDF-1.4 not really a pdf, but bytes all the same');
  const message = crlf([
    'From: a@example.com',
    'Content-Type: multipart/mixed; boundary="b2"',
    '',
    '--b2',
    'Content-Type: text/plain',
    '',
    'two files',
    '--b2',
    'Content-Type: text/csv; name="r.csv"',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from('a,b\n1,2\n').toString('base64'),
    '--b2',
    'Content-Type: application/pdf; name="doc.pdf"',
    'Content-Transfer-Encoding: base64',
    '',
    pdf.toString('base64'),
    '--b2--',
    '',
  ]);

  it('returns the decoded bytes of the part with the given checksum', async () => {
    const { attachments } = await parseMessage(message);

    const content = await extractAttachment(message, attachments[1]!.checksum);

    expect(content?.equals(pdf)).toBe(true);
  });

  it('returns null when no part has the checksum', async () => {
    const content = await extractAttachment(message, 'f'.repeat(64));

    expect(content).toBeNull();
  });
});

describe('parseMessage and messages the parser gives up on', () => {
  /** A multipart message with more parts than the MIME splitter allows. */
  function tooManyParts(count: number): Buffer {
    const parts = Array.from({ length: count }, (_, i) =>
      [
        '--B',
        'Content-Type: application/octet-stream',
        `Content-Disposition: attachment; filename="p${i}.bin"`,
        'Content-Transfer-Encoding: base64',
        '',
        'AA==',
        '',
      ].join('\r\n'),
    );
    return Buffer.from(
      [
        'From: Many Parts <many@example.com>',
        'Subject: a thousand parts',
        'Content-Type: multipart/mixed; boundary="B"',
        '',
        ...parts,
        '--B--',
        '',
      ].join('\r\n'),
    );
  }

  it('keeps the header fields and records why, instead of hanging', async () => {
    const parsed = await parseMessage(tooManyParts(1100));

    expect(parsed.subject).toBe('a thousand parts');
    expect(parsed.from).toEqual({ name: 'Many Parts', address: 'many@example.com' });
    expect(parsed.problem).toMatch(/^parse failed: /);
  });

  it('keeps the header fields when parsing is stopped', async () => {
    const parsed = await parseMessage(tooManyParts(10), AbortSignal.abort());

    expect(parsed.subject).toBe('a thousand parts');
    expect(parsed.from).toEqual({ name: 'Many Parts', address: 'many@example.com' });
    expect(parsed.problem).toBe('parse stopped: it took longer than allowed');
  });

  it('settles every promise when the splitter gives up while the message is still fed to it', async () => {
    // About 3 MB: the splitter fails long before the last slice is written. vitest fails the
    // run on a rejection left unhandled, which in Haraka would end the process.
    const parsed = await parseMessage(tooManyParts(20_000));

    expect(parsed.problem).toMatch(/^parse failed: /);
  });
});

describe('parseMessage and its problem note', () => {
  it('says so when a multipart message has no boundary', async () => {
    const raw = crlf(['From: a@example.com', 'Content-Type: multipart/mixed', '', 'hi', '']);

    const parsed = await parseMessage(raw);

    expect(parsed.problem).toMatch(/without a boundary/);
  });

  it('says so when bytes show as replacement characters', async () => {
    const raw = crlf([
      'From: a@example.com',
      'Content-Type: text/plain; charset=nonexistent-charset',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      '=E9t=E9',
      '',
    ]);

    const parsed = await parseMessage(raw);

    expect(parsed.problem).toMatch(/U\+FFFD/);
  });

  it('is null for a clean message', async () => {
    const parsed = await parseMessage(crlf(['From: a@example.com', 'Subject: ok', '', 'fine', '']));

    expect(parsed.problem).toBeNull();
  });
});
