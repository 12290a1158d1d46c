import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';

import { extractAttachment, parseMessage } from './parse-message';

const crlf = (lines: string[]): Buffer => Buffer.from(lines.join('\r\n'));
const bytes = (...parts: (string | Buffer)[]): Buffer =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : part)));
const fixture = (name: string): Buffer =>
  readFileSync(join(__dirname, '../../../test/fixtures/mail', name));

/** テスト in ISO-2022-JP: iconv-lite reads this charset but cannot write it. */
const ISO_2022_JP_TEST = Buffer.from('1b2442254625392548 1b2842'.replace(' ', ''), 'hex');

const CHARSET_SAMPLES: [string, string][] = [
  ['Shift_JIS', '日本語のお知らせ'],
  ['EUC-JP', '日本語のお知らせ'],
  ['EUC-KR', '한국어 알림'],
  ['GB2312', '简体中文通知'],
  ['GBK', '简体中文通知'],
  ['GB18030', '简体中文通知'],
  ['Big5', '繁體中文通知'],
  ['KOI8-R', 'Привет, мир'],
  ['Windows-1251', 'Привет, мир'],
  ['ISO-8859-1', 'Café déjà vu'],
  ['ISO-8859-2', 'Žluťoučký kůň'],
  ['ISO-8859-5', 'Привет, мир'],
  ['ISO-8859-7', 'Καλημέρα'],
  ['ISO-8859-15', 'Prix 5 €'],
];

const LINE_ENDINGS: [string, (lines: string[]) => Buffer][] = [
  ['CRLF', (lines) => Buffer.from(lines.join('\r\n'))],
  ['bare LF', (lines) => Buffer.from(lines.join('\n'))],
  ['bare CR', (lines) => Buffer.from(lines.join('\r'))],
  [
    'a mixture',
    (lines) => Buffer.from(lines.map((line, i) => line + ['\r', '\n', '\r\n'][i % 3]).join('')),
  ],
];

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

  it.each(LINE_ENDINGS)('reads the same fields when lines end with %s', async (_name, join) => {
    const raw = join([
      'From: "Old Mac" <old@example.com>',
      'Subject: line endings',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'first line',
      'second line',
      '',
    ]);

    const parsed = await parseMessage(raw);

    expect(parsed).toMatchObject({
      from: { name: 'Old Mac', address: 'old@example.com' },
      subject: 'line endings',
      problem: null,
    });
    expect(parsed.text.trim()).toBe('first line\nsecond line');
  });

  it('reads a fixture whose every line ends with a bare CR', async () => {
    const raw = fixture('bare-cr-line-endings.eml');

    const parsed = await parseMessage(raw);

    expect(parsed.subject).toBe('Written on a classic');
    expect(parsed.date).toEqual(new Date('1998-03-02T14:30:00.000Z'));
    expect(parsed.text.trim()).toBe('Line one\nLine two');
  });

  it('shows the whole message as text when it has no header block', async () => {
    const raw = crlf(['Your code is 381902.', 'It expires in ten minutes.', '']);

    const parsed = await parseMessage(raw);

    expect(parsed.subject).toBeNull();
    expect(parsed.text.trim()).toBe('Your code is 381902.\nIt expires in ten minutes.');
  });

  it('shows the body as text when no blank line follows the headers', async () => {
    const raw = crlf(['From: a@example.com', 'Subject: no separator', 'Your code is 381902', '']);

    const parsed = await parseMessage(raw);

    expect(parsed.subject).toBe('no separator');
    expect(parsed.text.trim()).toBe('Your code is 381902');
  });

  it('keeps a header after a stray word inside the header block', async () => {
    const raw = crlf([
      'From: a@example.com',
      'To: Mary',
      '__',
      ' <mary@example.net>',
      'Subject: kept',
      '',
      'hi',
    ]);

    const parsed = await parseMessage(raw);

    expect(parsed.subject).toBe('kept');
    expect(parsed.text.trim()).toBe('hi');
  });

  it('decodes encoded words split across lines and mixed with plain text', async () => {
    const raw = crlf([
      'From: =?ISO-8859-1?Q?Andr=E9?= Pirard <pirard@example.be>',
      'To: =?UTF-8?B?w4lsb2TDrWU=?= <elodie@dustmail.net>',
      'Subject: =?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?= plain',
      ' =?UTF-8?B?8J+Y?=',
      ' =?UTF-8?B?gA==?= end',
      '',
      'body',
    ]);

    const parsed = await parseMessage(raw);

    expect(parsed.from).toEqual({ name: 'André Pirard', address: 'pirard@example.be' });
    expect(parsed.to).toEqual([{ name: 'Élodíe', address: 'elodie@dustmail.net' }]);
    expect(parsed.subject).toBe('テスト plain 😀 end');
  });

  it('joins RFC 2231 filename continuations with non-ASCII characters', async () => {
    const raw = crlf([
      'From: a@example.com',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'see attached',
      '--b',
      'Content-Type: application/pdf',
      'Content-Disposition: attachment;',
      " filename*0*=utf-8''%E5%A0%B1%E5%91%8A%E6%9B%B8-quarterly-report;",
      ' filename*1*=-for-the-whole-team-%C3%A9dition;',
      ' filename*2="-final.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      'JVBERi0=',
      '--b--',
      '',
    ]);

    const parsed = await parseMessage(raw);

    expect(parsed.attachments[0]?.filename).toBe(
      '報告書-quarterly-report-for-the-whole-team-édition-final.pdf',
    );
  });

  it.each(CHARSET_SAMPLES)('decodes a %s body and encoded-word subject', async (charset, text) => {
    const encoded = iconv.encode(text, charset);
    const raw = bytes(
      `From: a@example.com\r\nSubject: =?${charset}?B?${encoded.toString('base64')}?=\r\n`,
      `Content-Type: text/plain; charset=${charset}\r\nContent-Transfer-Encoding: 8bit\r\n\r\n`,
      encoded,
    );

    const parsed = await parseMessage(raw);

    expect(parsed.subject).toBe(text);
    expect(parsed.text.trim()).toBe(text);
  });

  it('decodes an ISO-2022-JP body and encoded-word subject', async () => {
    const raw = bytes(
      `From: a@example.com\r\nSubject: =?ISO-2022-JP?B?${ISO_2022_JP_TEST.toString('base64')}?=\r\n`,
      'Content-Type: text/plain; charset=ISO-2022-JP\r\n\r\n',
      ISO_2022_JP_TEST,
    );

    const parsed = await parseMessage(raw);

    expect(parsed.subject).toBe('テスト');
    expect(parsed.text.trim()).toBe('テスト');
  });

  it('decodes a UTF-7 body', async () => {
    const raw = crlf([
      'From: a@example.com',
      'Content-Type: text/plain; charset=UTF-7',
      '',
      'Hi Mom -+Jjo--! Price: 5 +IKw-',
    ]);

    const parsed = await parseMessage(raw);

    expect(parsed.text.trim()).toBe('Hi Mom -☺-! Price: 5 €');
  });

  it('decodes a UTF-7 encoded-word subject', async () => {
    const raw = crlf(['From: a@example.com', 'Subject: =?UTF-7?Q?Caf+AOk-?= open', '', 'x']);

    const parsed = await parseMessage(raw);

    expect(parsed.subject).toBe('Café open');
  });

  it('decodes a base64 UTF-16 body with a byte-order mark', async () => {
    const raw = crlf([
      'From: a@example.com',
      'Content-Type: text/plain; charset=UTF-16',
      'Content-Transfer-Encoding: base64',
      '',
      iconv.encode('Привет from UTF-16', 'utf-16', { addBOM: true }).toString('base64'),
    ]);

    const parsed = await parseMessage(raw);

    expect(parsed.text.trim()).toBe('Привет from UTF-16');
  });

  it('reads a text part in the charset declared only on its multipart', async () => {
    const raw = bytes(
      'From: a@example.com\r\nContent-Type: multipart/mixed; charset=KOI8-R; boundary=b\r\n\r\n',
      '--b\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: 8bit\r\n\r\n',
      iconv.encode('Привет, мир', 'koi8-r'),
      '\r\n--b--\r\n',
    );

    const parsed = await parseMessage(raw);

    expect(parsed.text.trim()).toBe('Привет, мир');
  });

  it('reads a raw Latin-1 subject with no charset declared anywhere', async () => {
    const raw = bytes(
      'From: a@example.com\r\nSubject: ',
      iconv.encode('Formação de Verão para você', 'latin1'),
      '\r\n\r\nbody',
    );

    const parsed = await parseMessage(raw);

    expect(parsed.subject).toBe('Formação de Verão para você');
  });

  it('reads a raw GB2312 sender name in the charset a body part declares', async () => {
    const raw = bytes(
      'From: ',
      iconv.encode('临时邮箱', 'gb2312'),
      ' <box@example.cn>\r\nContent-Type: text/plain; charset=gb2312\r\n\r\n',
      iconv.encode('你好', 'gb2312'),
    );

    const parsed = await parseMessage(raw);

    expect(parsed.from).toEqual({ name: '临时邮箱', address: 'box@example.cn' });
  });

  it('reads a raw Shift_JIS subject that mixes Latin letters and kana in one word', async () => {
    const raw = bytes(
      'From: a@example.com\r\nSubject: ',
      iconv.encode('USBケーブルとiPhone用の充電器', 'shift_jis'),
      '\r\nContent-Type: text/plain; charset=shift_jis\r\n\r\n',
      iconv.encode('ご注文ありがとうございます', 'shift_jis'),
    );

    const parsed = await parseMessage(raw);

    expect(parsed.subject).toBe('USBケーブルとiPhone用の充電器');
  });

  it('reads a raw Big5 subject by detecting its charset', async () => {
    const raw = fixture('raw-8bit-big5-subject.eml');

    const parsed = await parseMessage(raw);

    expect(parsed.subject).toBe('訂單確認通知');
  });

  it('records the guessed charset as the problem when header bytes declare none', async () => {
    const raw = fixture('raw-8bit-big5-subject.eml');

    const parsed = await parseMessage(raw);

    expect(parsed.problem).toMatch(/undeclared 8-bit header bytes read as big5/i);
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

describe('parseMessage and broken header blocks', () => {
  it('shows the body of a part whose headers run straight into it', async () => {
    const raw = crlf([
      'From: a@example.com',
      'Content-Type: multipart/mixed; boundary=part',
      '',
      '--part',
      'Content-Type: text/plain',
      'the body line right under the header',
      '',
      '--part--',
      '',
    ]);

    const parsed = await parseMessage(raw);

    expect(parsed.text).toContain('the body line right under the header');
  });

  it('reads the headers after an mbox From line that follows a Received header', async () => {
    const raw = crlf([
      'Received: from relay.example by mx.example; Fri, 04 Dec 2026 10:00:00 +0000',
      'From someone@example.com Fri Dec  4 10:00:00 2026',
      'From: Some One <someone@example.com>',
      'Subject: after the separator',
      '',
      'hello',
    ]);

    const parsed = await parseMessage(raw);

    expect(parsed.subject).toBe('after the separator');
    expect(parsed.from).toEqual({ name: 'Some One', address: 'someone@example.com' });
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
