import { createHash } from 'node:crypto';

import { type AddressObject, type ParsedMail, simpleParser } from 'mailparser';

import type { HeaderLine, MailAddress } from '../../db/entities/email';
import { withoutNul } from '../../lib/without-nul';

/** One decoded attachment or inline part. */
export interface ParsedAttachment {
  filename: string | null;
  contentType: string;
  size: number;
  contentId: string | null;
  inline: boolean;
  checksum: string;
  content: Buffer;
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

function addresses(field: AddressObject | AddressObject[] | undefined): MailAddress[] {
  if (!field) return [];
  const objects = Array.isArray(field) ? field : [field];
  const out: MailAddress[] = [];
  for (const object of objects) {
    for (const entry of object.value) {
      if (entry.address) out.push({ name: entry.name ?? '', address: entry.address });
      for (const member of entry.group ?? []) {
        if (member.address) out.push({ name: member.name ?? '', address: member.address });
      }
    }
  }
  return out;
}

function headerLines(parsed: ParsedMail): HeaderLine[] {
  return parsed.headerLines.map(({ key, line }) => {
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim() : key;
    // Unfold continuation lines (RFC 5322 section 2.2.3).
    const value = (colon > 0 ? line.slice(colon + 1) : '').replace(/\r?\n[ \t]+/g, ' ').trim();
    return { name, value };
  });
}

function attachmentsOf(parsed: ParsedMail): ParsedAttachment[] {
  return parsed.attachments.map((part) => ({
    filename: part.filename ?? null,
    contentType: part.contentType,
    size: part.content.length,
    contentId: part.cid ?? null,
    inline: part.contentDisposition === 'inline' || part.related === true,
    checksum: createHash('sha256').update(part.content).digest('hex'),
    content: part.content,
  }));
}

function validDate(date: Date | undefined): Date | null {
  return date && !Number.isNaN(date.getTime()) ? date : null;
}

/** Best effort for a message the parser could not read: the bytes after the first blank line. */
function fallback(raw: Buffer, problem: string): ParsedMessage {
  const text = raw.toString('utf8');
  const split = text.search(/\r?\n\r?\n/);
  return {
    messageId: null,
    from: null,
    to: [],
    cc: [],
    replyTo: [],
    subject: null,
    date: null,
    text: split >= 0 ? text.slice(split).trim() : text,
    html: null,
    headers: [],
    attachments: [],
    problem,
  };
}

/** Parses a raw message. Never throws: a message that cannot be parsed keeps a problem note. */
export async function parseMessage(raw: Buffer): Promise<ParsedMessage> {
  return withoutNul(await parseFields(raw));
}

async function parseFields(raw: Buffer): Promise<ParsedMessage> {
  let parsed: ParsedMail;
  try {
    parsed = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
  } catch (err) {
    return fallback(raw, `parse failed: ${err instanceof Error ? err.message : String(err)}`);
  }

  const from = addresses(parsed.from)[0] ?? null;
  return {
    messageId: parsed.messageId ?? null,
    from,
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    replyTo: addresses(parsed.replyTo),
    subject: parsed.subject ?? null,
    date: validDate(parsed.date),
    text: parsed.text ?? '',
    html: typeof parsed.html === 'string' ? parsed.html : null,
    headers: headerLines(parsed),
    attachments: attachmentsOf(parsed),
    problem: parsed.textConversionError ? parsed.textConversionError.message : null,
  };
}
