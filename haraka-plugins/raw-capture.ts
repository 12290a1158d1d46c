/** Capacity of a capture whose sender declared no SIZE; it doubles as lines arrive. */
const INITIAL_BYTES = 64 * 1024;
/** Spare room past which take() copies to the exact length rather than keep it. */
const MAX_SPARE_BYTES = 1024 * 1024;

/**
 * Collects a message's DATA exactly as the client sent it, after dot-unstuffing
 * (RFC 5321 section 4.5.2), behind DustMail's own trace header. Haraka's message stream
 * cannot serve: it rewrites header lines, adds a blank line to a message without one and
 * keeps a second copy of every byte.
 *
 * The bytes go into one buffer, sized from the SIZE the sender declared (RFC 1870) when
 * there is one, so a large message is held once and handed on without another copy.
 */
export class RawCapture {
  private buffer: Buffer;
  private length = 0;

  /**
   * `received` is the trace header line, with its CRLF, placed before the client's bytes;
   * `declaredSize` the SIZE parameter of MAIL FROM, already checked against the maximum.
   */
  constructor(received: string, declaredSize?: number) {
    // Haraka decodes the client's HELO as UTF-8; it goes back out the same way.
    const trace = Buffer.from(received, 'utf8');
    this.buffer = Buffer.allocUnsafe(trace.length + (declaredSize ?? INITIAL_BYTES));
    this.append(trace);
  }

  /** Adds one DATA line as it came off the wire, line ending included. */
  add(line: Buffer): void {
    // A leading dot was doubled by the client (transparency); the message has one.
    this.append(line[0] === 0x2e ? line.subarray(1) : line);
  }

  /** The whole message; the capture lets go of it. */
  take(): Buffer {
    // A SIZE declared far above what came (or the last doubling) would leave the message
    // holding memory it does not use.
    const spare = this.buffer.length - this.length;
    const message =
      spare > MAX_SPARE_BYTES
        ? Buffer.from(this.buffer.subarray(0, this.length))
        : this.buffer.subarray(0, this.length);
    this.buffer = Buffer.alloc(0);
    this.length = 0;
    return message;
  }

  private append(bytes: Buffer): void {
    const needed = this.length + bytes.length;
    if (needed > this.buffer.length) {
      // A declared SIZE is an estimate; past it, grow by doubling.
      const grown = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    bytes.copy(this.buffer, this.length);
    this.length = needed;
  }
}
