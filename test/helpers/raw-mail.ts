import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// Raw message bytes for the parser's unit tests.

/** The lines joined with CRLF, as bytes. */
export const crlf = (lines: string[]): Buffer => Buffer.from(lines.join('\r\n'));

/** Text and bytes concatenated, text as UTF-8. */
export const bytes = (...parts: (string | Buffer)[]): Buffer =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : part)));

/** A specimen from test/fixtures/mail/, as bytes. */
export const fixture = (name: string): Buffer =>
  readFileSync(join(__dirname, '../fixtures/mail', name));
