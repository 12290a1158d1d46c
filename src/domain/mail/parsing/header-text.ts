import { isUtf8 } from 'node:buffer';

import iconv from 'iconv-lite';

import { decodeBytes, guessCharset } from './charset-guess';

const UTF7_WORD = /=\?(?:unicode-1-1-)?utf-?7(?:\*[^?]*)?\?([bq])\?([^?]*)\?=/gi;

/**
 * A header block with every line in UTF-8 (RFC 6532): raw 8-bit lines that are not UTF-8 are
 * read in a guessed charset (returned), and UTF-7 encoded words are re-encoded as UTF-8 ones.
 */
export function toUtf8HeaderBlock(
  block: Buffer,
  declared: readonly string[],
): { block: Buffer; charset: string | null } {
  const lines = splitLines(block);
  const legacy = lines.filter((line) => !isUtf8(line));
  const hasUtf7 = /=\?(?:unicode-1-1-)?utf-?7/i.test(block.toString('latin1'));
  if (legacy.length === 0 && !hasUtf7) return { block, charset: null };

  const charset = legacy.length > 0 ? guessCharset(Buffer.concat(legacy), declared) : null;
  const fixed = lines.map((line) => {
    const text = charset && !isUtf8(line) ? decodeBytes(line, charset) : line.toString('utf8');
    return Buffer.from(hasUtf7 ? text.replace(UTF7_WORD, utf8Word) : text, 'utf8');
  });
  return { block: Buffer.concat(fixed), charset };
}

/** Whether a header block holds a raw 8-bit line that is not UTF-8 or a UTF-7 encoded word. */
export function needsUtf8HeaderBlock(block: Buffer): boolean {
  if (!isUtf8(block)) return true;
  return /=\?(?:unicode-1-1-)?utf-?7/i.test(block.toString('latin1'));
}

/** Lines with their line endings kept, so joining them restores the block. */
function splitLines(block: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  while (start < block.length) {
    const lf = block.indexOf(0x0a, start);
    const end = lf === -1 ? block.length : lf + 1;
    lines.push(block.subarray(start, end));
    start = end;
  }
  return lines;
}

/**
 * Mail parsers refuse UTF-7 because it can hide markup from filters, so the word is decoded
 * here and handed on as UTF-8 (RFC 2047 section 4 for the B and Q encodings, RFC 2152 for
 * UTF-7). Whatever the text holds is escaped later like any other header text.
 */
function utf8Word(_word: string, encoding: string, payload: string): string {
  const bytes =
    encoding.toLowerCase() === 'b'
      ? Buffer.from(payload, 'base64')
      : Buffer.from(
          payload
            .replace(/_/g, ' ')
            .replace(/=([0-9a-f]{2})/gi, (_m, hex: string) =>
              String.fromCharCode(parseInt(hex, 16)),
            ),
          'latin1',
        );
  const text = iconv.decode(bytes, 'utf7');
  return `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}
