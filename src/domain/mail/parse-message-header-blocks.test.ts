import { describe, expect, it } from 'vitest';

import { crlf } from '../../../test/helpers/raw-mail';
import { parseMessage } from './parse-message';

// parseMessage finds the headers and the body where a header block is missing or broken.

describe('parseMessage', () => {
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

  it('mends a part whose delimiter line ends in white space', async () => {
    const raw = crlf([
      'From: a@example.com',
      'Content-Type: multipart/mixed; boundary=part',
      '',
      '--part  \t',
      'Content-Type: text/plain',
      'the body after a padded delimiter',
      '',
      '--part--',
      '',
    ]);

    const parsed = await parseMessage(raw);

    expect(parsed.text).toContain('the body after a padded delimiter');
  });

  it('mends a part whose boundary is declared with trailing white space', async () => {
    const raw = crlf([
      'From: a@example.com',
      'Content-Type: multipart/mixed; boundary="ab "',
      '',
      '--ab ',
      'Content-Type: text/plain',
      'the body under a padded boundary',
      '--ab --',
      '',
    ]);

    const parsed = await parseMessage(raw);

    expect(parsed.text).toContain('the body under a padded boundary');
  });

  it('takes a line of the boundary followed by a word for body text, not a delimiter', async () => {
    const raw = crlf([
      'From: a@example.com',
      'Content-Type: multipart/mixed; boundary=part',
      '',
      '--part',
      'Content-Type: text/plain',
      '',
      '--part quoted in the body',
      'Note: kept as written',
      'last line',
      '--part--',
      '',
    ]);

    const parsed = await parseMessage(raw);

    expect(parsed.text).toBe('--part quoted in the body\nNote: kept as written\nlast line');
  });

  it('mends the right part when a body declares thousands of other boundaries', async () => {
    const noise = Array.from({ length: 5000 }, (_, i) => `--z\r\nboundary=b${i}`);
    const raw = crlf([
      'From: a@example.com',
      'Content-Type: multipart/mixed; boundary=part',
      '',
      '--part',
      'Content-Type: text/plain',
      '',
      ...noise,
      '--part',
      'Content-Type: application/octet-stream',
      'Content-Disposition: attachment; filename="after.bin"',
      'Content-Transfer-Encoding: base64',
      'aGVsbG8=',
      '--part--',
      '',
    ]);

    const parsed = await parseMessage(raw);

    expect(parsed.attachments.map((a) => [a.filename, a.size])).toEqual([['after.bin', 5]]);
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
