import { once } from 'node:events';
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

type Race = <T>(work: Promise<T>) => Promise<T>;

/** Written per call; the parser's back-pressure then bounds what it holds undecoded. */
const FEED_SLICE_BYTES = 64 * 1024;

/**
 * Hands the message to the parser in slices, waiting whenever it asks to: given the whole
 * message at once, it would split all of it ahead of the reader and buffer the parts.
 */
async function feed(parser: MailParser, raw: Buffer): Promise<void> {
  for (let at = 0; at < raw.length; at += FEED_SLICE_BYTES) {
    if (!parser.write(raw.subarray(at, at + FEED_SLICE_BYTES))) await once(parser, 'drain');
  }
  parser.end();
}

/** One attachment read to its end: hashed and counted, kept only when it is the one wanted. */
async function readAttachment(
  data: AttachmentStream,
  collect: boolean,
  wanted: string | undefined,
  orFail: Race,
): Promise<ReadAttachment> {
  const content = await orFail(drain(data.content, collect));
  data.release?.();
  const { release: _release, content: _stream, ...meta } = data;
  const checksum = data.checksum ?? '';
  const keep = content !== null && checksum === wanted;
  return { ...meta, size: data.size ?? 0, checksum, content: keep ? content : null };
}

/** Reads the parser's output to its end: the text, and each attachment as it streams past. */
async function readParts(parser: MailParser, wanted: string | undefined, orFail: Race) {
  const attachments: ReadAttachment[] = [];
  const mail: Partial<ReadMail> = {};
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
    const found = attachments.some((part) => part.content !== null);
    attachments.push(await readAttachment(data, wanted !== undefined && !found, wanted, orFail));
  }
  return { mail, attachments };
}

/**
 * Parses a message as mailparser's simpleParser does, but lets each attachment stream past
 * while it is hashed and counted, so a large attachment is never held in memory. Given
 * `wanted`, the content of the first attachment with that SHA-256 is kept. Rejects with the
 * signal's reason once `signal` aborts.
 */
export async function readMail(
  raw: Buffer,
  wanted?: string,
  signal?: AbortSignal,
): Promise<ReadMail> {
  const parser = new MailParser(OPTIONS);
  // The parser reports some failures (too many parts) only as an 'error' event, which a
  // pending read of an attachment stream would never see: every wait races it.
  let fail: (err: unknown) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => undefined);
  parser.on('error', (err: unknown) => fail(err));
  const orFail: Race = (work) => Promise.race([work, failed]);
  const onAbort = () => fail(signal?.reason);
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });

  try {
    const feeding = orFail(feed(parser, raw));
    // When the parser fails mid-message, readParts reports it and `feeding` is never awaited:
    // left unhandled, its rejection would bring the whole process down.
    feeding.catch(() => undefined);
    const { mail, attachments } = await readParts(parser, wanted, orFail);
    await feeding;
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
  } finally {
    // A parser left mid-message (after an error) would hold its buffers.
    parser.destroy();
    signal?.removeEventListener('abort', onAbort);
  }
}
