const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const LF = 0x0a;
const COLON = 0x3a;
const SPACE = 0x20;
const TAB = 0x09;

/**
 * The message with its header block closed by an empty line where the sender left it out, so
 * that the body shows as text. The block ends at the first line that is neither a field, a
 * continuation, nor an mbox "From " line (RFC 5322 section 2.1 wants an empty line there).
 * A leading UTF-8 byte-order mark is dropped as well.
 */
export function withHeaderBlockEnd(raw: Buffer): Buffer {
  const message = raw.subarray(0, 3).equals(UTF8_BOM) ? raw.subarray(3) : raw;
  const bodyStart = firstBodyLine(message);
  if (bodyStart === null) return message;

  const newline = lineEndingAt(message, bodyStart);
  return Buffer.concat([message.subarray(0, bodyStart), newline, message.subarray(bodyStart)]);
}

/** Offset of a body line that follows the headers without an empty line, or null. */
function firstBodyLine(message: Buffer): number | null {
  for (let start = 0; start < message.length;) {
    const line = lineAt(message, start);
    if (line.length === 0) return null;

    const next = nextLineStart(message, start);
    if (!isHeaderLine(line) && !isStrayToken(message, line, next)) return start;
    start = next;
  }
  return null;
}

function lineAt(message: Buffer, start: number): Buffer {
  const lf = message.indexOf(LF, start);
  const end = lf === -1 ? message.length : lf;
  return message.subarray(start, end > start && message[end - 1] === 0x0d ? end - 1 : end);
}

function nextLineStart(message: Buffer, start: number): number {
  const lf = message.indexOf(LF, start);
  return lf === -1 ? message.length : lf + 1;
}

function isHeaderLine(line: Buffer): boolean {
  const first = line[0];
  // Folded continuation (RFC 5322 section 2.2.3); a line of only white space is obsolete
  // folding (section 4.2) and stays inside the block.
  if (first === SPACE || first === TAB) return true;
  // An mbox "From " separator: first in a message, or first after the trace header the
  // receiving server put before the client's bytes.
  if (line.subarray(0, 5).toString('latin1') === 'From ') return true;
  // A field name is one or more printable characters before the colon. Names that break the
  // RFC 5322 section 3.6.8 rules (a space, a TAB, an 8-bit byte) still count: ending the block
  // there would push the MIME headers that follow into the body.
  return line.indexOf(COLON) > 0;
}

/**
 * A single word with no colon between header fields, like the "__" that stands for a blank
 * folding line in the RFC 2822 appendix A.6.3 example, is junk inside the block when a proper
 * field follows it, not the first line of the body.
 */
function isStrayToken(message: Buffer, line: Buffer, next: number): boolean {
  if (/\s/.test(line.toString('latin1'))) return false;

  for (let start = next; start < message.length; start = nextLineStart(message, start)) {
    const following = lineAt(message, start);
    if (following[0] === SPACE || following[0] === TAB) continue;
    return /^[\x21-\x39\x3b-\x7e]+[ \t]*:/.test(following.toString('latin1'));
  }
  return false;
}

function lineEndingAt(message: Buffer, lineStart: number): Buffer {
  const crlf = lineStart >= 2 && message[lineStart - 2] === 0x0d;
  return Buffer.from(crlf || lineStart === 0 ? '\r\n' : '\n');
}

/** The longest boundary looked for; RFC 2046 section 5.1.1 allows 70 characters. */
const MAX_BOUNDARY_CHARS = 200;
const BOUNDARY_PARAM = new RegExp(
  `boundary\\s*=\\s*(?:"([^"\\r\\n]{1,${MAX_BOUNDARY_CHARS}})"|([^\\s;"]{1,${MAX_BOUNDARY_CHARS}}))`,
  'gi',
);
/** Only the header area of parts is searched for boundaries; bodies can be large. */
const BOUNDARY_SCAN_BYTES = 64 * 1024;

/**
 * The message with an empty line added after the header block of each MIME part that runs
 * straight into its body (RFC 2046 section 5.1.1 wants one), so that the body is not taken
 * for broken header fields. Parts are found by the boundaries the message declares.
 */
export function withPartHeaderBlockEnds(raw: Buffer): Buffer {
  const boundaries = declaredBoundaries(raw);
  if (boundaries.size === 0) return raw;

  const delimiters = delimiterLines(raw, boundaries);
  const pieces: Buffer[] = [];
  let from = 0;
  delimiters.forEach((delimiter, i) => {
    if (delimiter.closes) return;
    const partStart = nextLineStart(raw, delimiter.at);
    const partEnd = delimiters[i + 1]?.at ?? raw.length;
    const bodyStart = firstBodyLine(raw.subarray(partStart, partEnd));
    if (bodyStart === null) return;
    const at = partStart + bodyStart;
    pieces.push(raw.subarray(from, at), lineEndingAt(raw, at));
    from = at;
  });
  if (pieces.length === 0) return raw;

  pieces.push(raw.subarray(from));
  return Buffer.concat(pieces);
}

const CR = 0x0d;
const DASH = 0x2d;
/** The longest delimiter line worth decoding: "--", a boundary, "--". */
const MAX_DELIMITER_CHARS = MAX_BOUNDARY_CHARS + 4;

/**
 * Every line that is "--" and a declared boundary, in one pass over the message: a boundary
 * is looked up by the line's text rather than searched for, so a message declaring
 * thousands of boundaries costs no more than one declaring a few.
 */
function delimiterLines(raw: Buffer, boundaries: Set<string>): { at: number; closes: boolean }[] {
  const found: { at: number; closes: boolean }[] = [];
  for (let at = 0; at < raw.length; at = nextLineStart(raw, at)) {
    if (raw[at] !== DASH || raw[at + 1] !== DASH) continue;
    const lf = raw.indexOf(LF, at);
    // As mailsplit reads it: the boundary, then spaces and tabs, then CRs (RFC 2046 5.1.1).
    let end = lf === -1 ? raw.length : lf;
    while (end > at && raw[end - 1] === CR) end -= 1;
    while (end > at && (raw[end - 1] === SPACE || raw[end - 1] === TAB)) end -= 1;
    if (end - at > MAX_DELIMITER_CHARS) continue;

    const name = raw.toString('latin1', at + 2, end);
    if (boundaries.has(name)) found.push({ at, closes: false });
    else if (name.endsWith('--') && boundaries.has(name.slice(0, -2))) {
      found.push({ at, closes: true });
    }
  }
  return found;
}

/** The boundary parameters of every Content-Type in the message's header areas. */
function declaredBoundaries(raw: Buffer): Set<string> {
  const found = new Set<string>();
  for (let at = 0; at < raw.length;) {
    const window = raw.toString('latin1', at, Math.min(at + BOUNDARY_SCAN_BYTES, raw.length));
    // A delimiter line's trailing white space is not part of it, so the boundary's is not
    // either (mailsplit trims it too).
    for (const match of window.matchAll(BOUNDARY_PARAM)) {
      found.add((match[1] ?? match[2] ?? '').trimEnd());
    }
    // Past the first window, only look where a part starts: after a line "--...".
    const partAt = raw.indexOf('\n--', at + BOUNDARY_SCAN_BYTES);
    at = partAt === -1 ? raw.length : partAt + 1;
  }
  found.delete('');
  return found;
}
