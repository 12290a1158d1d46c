/**
 * Collects a message's DATA exactly as the client sent it, after dot-unstuffing
 * (RFC 5321 section 4.5.2), behind DustMail's own trace header. Haraka's message stream
 * cannot serve: it rewrites header lines, adds a blank line to a message without one and
 * keeps a second copy of every byte.
 */
export class RawCapture {
  private chunks: Buffer[];
  private size: number;

  /** `received` is the trace header line, with its CRLF, placed before the client's bytes. */
  constructor(received: string) {
    const trace = Buffer.from(received, 'latin1');
    this.chunks = [trace];
    this.size = trace.length;
  }

  /** Adds one DATA line as it came off the wire, line ending included. */
  add(line: Buffer): void {
    // A leading dot was doubled by the client (transparency); the message has one.
    const unstuffed = line[0] === 0x2e ? line.subarray(1) : line;
    this.chunks.push(unstuffed);
    this.size += unstuffed.length;
  }

  /** The whole message in one buffer; the capture lets go of its chunks. */
  take(): Buffer {
    const message = Buffer.concat(this.chunks, this.size);
    this.chunks = [];
    return message;
  }
}
