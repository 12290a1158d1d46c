import type { Readable } from 'node:stream';

import {
  type AttachmentCommon,
  type AttachmentStream,
  type HeaderLines,
  MailParser,
  type MessageText,
  type ParsedMail,
} from 'mailparser';

/** One attachment as read: its metadata, and its bytes only when they were asked for. */
export interface ReadAttachment extends AttachmentCommon {
  size: number;
  /** SHA-256 of the decoded content, hex. */
  checksum: string;
  /** The decoded content; null unless this is the attachment asked for. */
  content: Buffer | null;
}

/** A parsed message whose attachments were hashed as they streamed past, not kept. */
export type ReadMail = Omit<ParsedMail, 'attachments' | 'headerLines'> & {
  headerLines: HeaderLines;
  attachments: ReadAttachment[];
};

const OPTIONS = { skipImageLinks: true, skipTextToHtml: true, checksumAlgo: 'sha256' } as const;

/** Reads a stream to its end, keeping the bytes only when asked to. */
async function drain(stream: Readable, keep: boolean): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) if (keep) chunks.push(chunk);
  return keep ? Buffer.concat(chunks) : null;
}

/**
 * Parses a message as mailparser's simpleParser does, but lets each attachment stream past
 * while it is hashed and counted, so a large attachment is never held in memory. Given
 * `wanted`, the content of the first attachment with that SHA-256 is kept.
 */
export async function readMail(raw: Buffer, wanted?: string): Promise<ReadMail> {
  const parser = new MailParser(OPTIONS);
  const attachments: ReadAttachment[] = [];
  const mail: Partial<ReadMail> = {};
  let found = false;
  // The parser reports some failures (too many parts) only as an 'error' event, which a
  // pending read of an attachment stream would never see: every wait races it.
  const failed = new Promise<never>((_, reject) => parser.once('error', reject));
  failed.catch(() => undefined);
  const orFail = <T>(work: Promise<T>): Promise<T> => Promise.race([work, failed]);

  parser.end(raw);
  const items = (parser as AsyncIterable<AttachmentStream | MessageText>)[Symbol.asyncIterator]();
  for (let next = await orFail(items.next()); !next.done; next = await orFail(items.next())) {
    const data = next.value;
    if (data.type === 'text') {
      mail.text = data.text;
      mail.html = data.html ?? false;
      if (data.textConversionError) mail.textConversionError = data.textConversionError;
      continue;
    }
    // Kept until its checksum is known, then dropped unless it is the one wanted.
    const content: Buffer | null = await orFail(
      drain(data.content, wanted !== undefined && !found),
    );
    data.release?.();
    const { release: _release, content: _stream, ...meta } = data;
    const checksum = data.checksum ?? '';
    const keep: boolean = content !== null && checksum === wanted;
    found ||= keep;
    attachments.push({ ...meta, size: data.size ?? 0, checksum, content: keep ? content : null });
  }

  const headers = parser.headers || new Map();
  const field = <T>(name: string): T | undefined => headers.get(name) as T | undefined;
  return {
    ...mail,
    headers,
    headerLines: parser.headerLines || [],
    attachments,
    subject: field('subject'),
    date: field('date'),
    from: field('from'),
    to: field('to'),
    cc: field('cc'),
    replyTo: field('reply-to'),
    messageId: field('message-id'),
  } as ReadMail;
}
