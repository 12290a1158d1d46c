const CR = 0x0d;
const LF = 0x0a;

/**
 * The message with CRLF line endings when its header block ends lines with a bare CR (old Mac
 * mail), which the MIME splitter does not read as a line break. Other messages come back as
 * they are, so a binary body (RFC 3030) keeps its CR bytes.
 */
export function withCrlfLineEndings(raw: Buffer): Buffer {
  return headerHasBareCr(raw) ? toCrlf(raw) : raw;
}

/** Line breaks in decoded text as LF, whatever mix of CR, LF and CRLF the message used. */
export function withLfLineBreaks(text: string): string {
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

function headerHasBareCr(raw: Buffer): boolean {
  let lineStart = 0;
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i];
    if (byte !== CR && byte !== LF) continue;

    const bareCr = byte === CR && raw[i + 1] !== LF;
    if (bareCr) return true;
    // An empty line closes the header block (RFC 5322 section 2.1).
    if (i === lineStart) return false;
    if (byte === CR) i++;
    lineStart = i + 1;
  }
  return false;
}

function toCrlf(raw: Buffer): Buffer {
  const out = Buffer.allocUnsafe(raw.length * 2);
  let length = 0;
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i] as number;
    if (byte === CR || byte === LF) {
      out[length++] = CR;
      out[length++] = LF;
      if (byte === CR && raw[i + 1] === LF) i++;
      continue;
    }
    out[length++] = byte;
  }
  return out.subarray(0, length);
}
