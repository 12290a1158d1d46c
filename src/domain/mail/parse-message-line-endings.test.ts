import { describe, expect, it } from 'vitest';

import { fixture } from '../../../test/helpers/raw-mail';
import { parseMessage } from './parse-message';

// parseMessage reads a message whatever its lines end with.

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
});
