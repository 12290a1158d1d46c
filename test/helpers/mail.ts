import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';

/** Sends one message over SMTP to the test service and returns the transport's answer. */
export async function sendMail(
  smtpPort: number,
  message: {
    to: string | string[];
    subject?: string;
    text?: string;
    html?: string;
    from?: string;
    cc?: Mail.Options['cc'];
    replyTo?: Mail.Options['replyTo'];
    date?: Mail.Options['date'];
    headers?: Mail.Options['headers'];
    attachments?: Mail.Options['attachments'];
    /** SMTP MAIL FROM and RCPT TO, when they differ from the headers. */
    envelope?: Mail.Options['envelope'];
    /** A whole message to send as it is, instead of one built from the fields. */
    raw?: Buffer;
  },
) {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: smtpPort,
    secure: false,
    ignoreTLS: true,
    tls: { rejectUnauthorized: false },
  });
  try {
    return await transport.sendMail({
      from: message.from ?? 'Sender <sender@example.com>',
      ...message,
    });
  } finally {
    transport.close();
  }
}

/** The SMTP reply code of a refused send, from nodemailer's error. */
export async function refusedCode(send: Promise<unknown>): Promise<{ code: number; text: string }> {
  try {
    await send;
  } catch (err) {
    const e = err as { responseCode?: number; response?: string };
    return { code: e.responseCode ?? 0, text: e.response ?? '' };
  }
  throw new Error('the message was accepted');
}
