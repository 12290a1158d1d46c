/** What the SMTP session told us about a message, apart from its content. */
export interface Envelope {
  /** MAIL FROM address; empty for a bounce (`<>`). */
  mailFrom: string;
  /** The accepted RCPT TO addresses. */
  rcptTo: string[];
  clientIp: string;
  helo: string;
}
