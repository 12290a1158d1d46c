import { isUtf8 } from 'node:buffer';

import type { HeaderLine, MailAddress } from '../../db/entities/email';
import { toStorableText } from '../../lib/storable-text';
import { withHeaderBlockEnd, withPartHeaderBlockEnds } from './parsing/header-block';
import { withCrlfLineEndings, withLfLineBreaks } from './parsing/line-endings';
import { addressesOf, attachmentsOf, headerLinesOf } from './parsing/message-fields';
import { type ReadMail, readMail } from './parsing/read-mail';
import { repairMessage } from './parsing/repair-message';

/**
 * One attachment or inline part. Its bytes are not kept: they are in the raw message, and
 * extractAttachment decodes them again when asked.
 */
export interface ParsedAttachment {
  filename: string | null;
  contentType: string;
  size: number;
  contentId: string | null;
  inline: boolean;
  /** SHA-256 of the decoded content, hex; it also finds the part again. */
  checksum: string;
}

/** The fields DustMail keeps from a message, filled as far as the message allows. */
export interface ParsedMessage {
  messageId: string | null;
  from: MailAddress | null;
  to: MailAddress[];
  cc: MailAddress[];
  replyTo: MailAddress[];
  subject: string | null;
  date: Date | null;
  text: string;
  html: string | null;
  headers: HeaderLine[];
  attachments: ParsedAttachment[];
  /** Why parsing fell short, when it did. */
  problem: string | null;
}

/**
 * How long parsing may take before it stops and keeps only the header fields: the SMTP
 * plugin must commit well inside its deadline, and a message deferred on every attempt
 * would never be stored.
 */
export const PARSE_TIME_LIMIT_MS = 30_000;

/**
 * Parses a raw message. Never throws: a message that cannot be parsed, or whose parsing is
 * stopped by `stop` (by default after PARSE_TIME_LIMIT_MS), keeps a problem note.
 */
export async function parseMessage(
  raw: Buffer,
  stop: AbortSignal = AbortSignal.timeout(PARSE_TIME_LIMIT_MS),
): Promise<ParsedMessage> {
  return toStorableText(await parseFields(raw, stop));
}

async function parseFields(raw: Buffer, stop: AbortSignal): Promise<ParsedMessage> {
  try {
    return await readFields(raw, stop);
  } catch (err) {
    // The mending steps are plain code, but a message must be stored whatever they meet.
    return fallback(raw, failure(err, stop));
  }
}

/** The problem note for a parse that threw or was stopped. */
function failure(err: unknown, stop: AbortSignal): string {
  if (stop.aborted) return 'parse stopped: it took longer than allowed';
  return `parse failed: ${messageOf(err)}`;
}

async function readFields(raw: Buffer, stop: AbortSignal): Promise<ParsedMessage> {
  // Only the copy that is parsed changes; the caller stores the original bytes.
  const copy = prepared(raw);

  let parsed: ReadMail;
  try {
    parsed = await readMail(copy, undefined, stop);
  } catch (err) {
    return fallback(copy, failure(err, stop));
  }
  if (!needsRepair(parsed, copy)) return toMessage(parsed, []);

  // A second pass only for the few messages whose first one shows damage.
  try {
    const repaired = await repairMessage(copy);
    return toMessage(await readMail(repaired.raw, undefined, stop), repaired.guesses);
  } catch (err) {
    return toMessage(parsed, [`charset repair failed: ${messageOf(err)}`]);
  }
}

/**
 * The decoded bytes of the attachment with this SHA-256, read again from the raw message
 * through the same passes as parseMessage; null when no part has that checksum.
 */
export async function extractAttachment(raw: Buffer, checksum: string): Promise<Buffer | null> {
  const copy = prepared(raw);
  const first = await readMail(copy, checksum);
  const hit = first.attachments.find((part) => part.content !== null);
  if (hit?.content) return hit.content;

  const repaired = await repairMessage(copy);
  const second = await readMail(repaired.raw, checksum);
  return second.attachments.find((part) => part.content !== null)?.content ?? null;
}

/** The copy that is parsed: line breaks, the header block and part header blocks mended. */
function prepared(raw: Buffer): Buffer {
  return withPartHeaderBlockEnds(withHeaderBlockEnd(withCrlfLineEndings(raw)));
}

/** What the parsed fields themselves show went wrong, when nothing else said so. */
function symptoms(parsed: ReadMail): string[] {
  const found: string[] = [];
  const type = parsed.headers.get('content-type') as
    { value?: string; params?: Record<string, string> } | undefined;
  if (type?.value?.startsWith('multipart/') && !type.params?.['boundary']) {
    found.push('multipart message without a boundary: its parts cannot be told apart');
  }
  const shown = [
    parsed.subject ?? '',
    parsed.text ?? '',
    typeof parsed.html === 'string' ? parsed.html : '',
  ];
  if (shown.some((value) => value.includes('\uFFFD'))) {
    found.push('some bytes could not be decoded in any charset and show as U+FFFD');
  }
  return found;
}

function toMessage(parsed: ReadMail, notes: string[]): ParsedMessage {
  const problems = [...notes, ...symptoms(parsed)];
  if (parsed.textConversionError) problems.push(parsed.textConversionError.message);

  return {
    messageId: parsed.messageId ?? null,
    from: addressesOf(parsed.from)[0] ?? null,
    to: addressesOf(parsed.to),
    cc: addressesOf(parsed.cc),
    replyTo: addressesOf(parsed.replyTo),
    subject: parsed.subject ?? null,
    date: validDate(parsed.date),
    text: withLfLineBreaks(parsed.text ?? ''),
    html: typeof parsed.html === 'string' ? parsed.html : null,
    headers: headerLinesOf(parsed),
    attachments: attachmentsOf(parsed),
    problem: problems.length > 0 ? problems.join('; ') : null,
  };
}

/**
 * Raw 8-bit header bytes and replacement characters mean bytes were read in the wrong charset
 * (no declaration, or one given only on the multipart), and UTF-7 is a charset mailparser
 * refuses to decode.
 */
function needsRepair(parsed: ReadMail, copy: Buffer): boolean {
  if (!isUtf8(copy.subarray(0, headerBlockEnd(copy)))) return true;

  const decoded = [
    parsed.text ?? '',
    typeof parsed.html === 'string' ? parsed.html : '',
    ...parsed.attachments.map((part) => part.filename ?? ''),
  ];
  return decoded.some((value) => value.includes('\uFFFD')) || mentionsUtf7(copy);
}

function headerBlockEnd(message: Buffer): number {
  const ends = [message.indexOf('\r\n\r\n'), message.indexOf('\n\n')].filter((at) => at >= 0);
  return ends.length > 0 ? Math.min(...ends) : message.length;
}

/** Whether "utf-7" appears in any letter case; base64 has no "-", so hits are rare and cheap. */
function mentionsUtf7(raw: Buffer): boolean {
  for (let at = raw.indexOf('-7'); at !== -1; at = raw.indexOf('-7', at + 2)) {
    if (at >= 3 && raw.toString('latin1', at - 3, at).toLowerCase() === 'utf') return true;
  }
  return false;
}

function validDate(date: Date | undefined): Date | null {
  return date && !Number.isNaN(date.getTime()) ? date : null;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Best effort for a message the parser could not read (too many parts, for one): the header
 * fields read on their own, and the bytes after the header block as text.
 */
async function fallback(raw: Buffer, problem: string): Promise<ParsedMessage> {
  const end = headerBlockEnd(raw);
  const body = raw.toString('utf8', end).trim();
  const headerBlock = raw.subarray(0, end);
  try {
    const headers = await readMail(Buffer.concat([headerBlock, Buffer.from('\r\n\r\n')]));
    return { ...toMessage(headers, [problem]), text: body, html: null, attachments: [] };
  } catch {
    return {
      messageId: null,
      from: null,
      to: [],
      cc: [],
      replyTo: [],
      subject: null,
      date: null,
      text: body,
      html: null,
      headers: [],
      attachments: [],
      problem,
    };
  }
}
