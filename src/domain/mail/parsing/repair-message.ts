import { isUtf8 } from 'node:buffer';

import { MimeNode, Splitter, type SplitterChunk } from '@zone-eu/mailsplit';
import iconv from 'iconv-lite';

import { declaredCharsets, decodeBytes, guessCharset } from './charset-guess';
import { needsUtf8HeaderBlock, toUtf8HeaderBlock } from './header-text';

/** The rewritten copy of a message and what had to be guessed to write it. */
export interface RepairedMessage {
  raw: Buffer;
  guesses: string[];
}

interface HeldPart {
  node: MimeNode;
  chunks: Buffer[];
}

const UTF7_LABEL = /^(?:unicode-1-1-)?utf-?7$/i;
const UNDECLARED_LABEL = /^(?:us-?ascii|ascii)?$/i;
const BASE64_LINE_CHARS = 76;

/**
 * A copy of the message that mailparser reads without replacement characters: headers in
 * UTF-8, a multipart's charset given to the text parts that declare none, and text parts in
 * UTF-7 or in undeclared 8-bit charsets re-encoded as UTF-8. The stored bytes stay unchanged.
 */
export async function repairMessage(raw: Buffer): Promise<RepairedMessage> {
  const declared = declaredCharsets(raw);
  const guesses = new Set<string>();
  const out: Buffer[] = [];
  let held: HeldPart | null = null;

  const splitter = new Splitter();
  splitter.end(raw);
  for await (const chunk of splitter as AsyncIterable<SplitterChunk>) {
    if (chunk.type === 'body' && held) {
      held.chunks.push(chunk.value);
      continue;
    }
    if (held) {
      out.push(...(await recodedPart(held, declared, guesses)));
      held = null;
    }
    if (chunk.type !== 'node') {
      out.push(chunk.value);
      continue;
    }

    inheritCharset(chunk);
    if (mayNeedRecoding(chunk)) held = { node: chunk, chunks: [] };
    else out.push(utf8Headers(chunk, declared, guesses));
  }
  if (held) out.push(...(await recodedPart(held, declared, guesses)));

  return { raw: Buffer.concat(out), guesses: [...guesses] };
}

/** RFC 2046 section 4.1.2 puts the charset on the text part; some senders put it on the parent. */
function inheritCharset(node: MimeNode): void {
  if (!isTextBody(node) || node.charset) return;

  for (let parent = node.parentNode; parent; parent = parent.parentNode) {
    if (parent.rfc822) return;
    if (parent.multipart && parent.charset) {
      node.setCharset(parent.charset);
      node.charset = parent.charset;
      return;
    }
  }
}

function isTextBody(node: MimeNode): boolean {
  const type = node.contentType || 'text/plain';
  return type.startsWith('text/') && node.disposition !== 'attachment';
}

function mayNeedRecoding(node: MimeNode): boolean {
  if (!isTextBody(node)) return false;
  const charset = node.charset || '';
  return UTF7_LABEL.test(charset) || UNDECLARED_LABEL.test(charset);
}

function utf8Headers(node: MimeNode, declared: readonly string[], guesses: Set<string>): Buffer {
  const block = node.getHeaders();
  if (!needsUtf8HeaderBlock(block)) return block;

  const { block: fixed, charset } = toUtf8HeaderBlock(block, declared);
  if (charset) guesses.add(`undeclared 8-bit header bytes read as ${charset}`);
  return fixed;
}

async function recodedPart(
  held: HeldPart,
  declared: readonly string[],
  guesses: Set<string>,
): Promise<Buffer[]> {
  const { node, chunks } = held;
  const body = Buffer.concat(chunks);
  const bytes = await transferDecoded(node, body);
  const text = recodedText(node, bytes, declared, guesses);
  if (text === null) return [utf8Headers(node, declared, guesses), body];

  node.setCharset('utf-8');
  node.headers && node.headers.update('Content-Transfer-Encoding', 'base64');
  return [utf8Headers(node, declared, guesses), base64Lines(text)];
}

function recodedText(
  node: MimeNode,
  bytes: Buffer,
  declared: readonly string[],
  guesses: Set<string>,
): string | null {
  if (UTF7_LABEL.test(node.charset || '')) return iconv.decode(bytes, 'utf7');
  if (isUtf8(bytes)) return null;

  const charset = guessCharset(bytes, declared);
  guesses.add(`undeclared 8-bit text read as ${charset}`);
  return decodeBytes(bytes, charset);
}

function transferDecoded(node: MimeNode, body: Buffer): Promise<Buffer> {
  const decoder = node.getDecoder();
  const parts: Buffer[] = [];
  return new Promise((resolve, reject) => {
    decoder.on('data', (part: Buffer) => parts.push(part));
    decoder.on('end', () => resolve(Buffer.concat(parts)));
    decoder.on('error', reject);
    decoder.end(body);
  });
}

function base64Lines(text: string): Buffer {
  const encoded = Buffer.from(text, 'utf8').toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < encoded.length; i += BASE64_LINE_CHARS) {
    lines.push(encoded.slice(i, i + BASE64_LINE_CHARS));
  }
  // The CRLF before a boundary belongs to the delimiter (RFC 2046 section 5.1.1), so the
  // last line ends with its own.
  return Buffer.from(`${lines.join('\r\n')}\r\n`, 'latin1');
}
