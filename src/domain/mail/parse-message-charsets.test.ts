import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';

import { bytes, crlf, fixture } from '../../../test/helpers/raw-mail';
import { parseMessage } from './parse-message';

// How parseMessage decodes text: charsets, encoded words and raw 8-bit header bytes.

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

describe('parseMessage', () => {
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
});
