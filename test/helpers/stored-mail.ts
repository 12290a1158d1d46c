import { sendMail } from './mail';
import { restApi } from './rest-api';
import type { TestService } from './service';

// Messages stored through SMTP for the tests of the REST email routes.

/** A PDF-typed attachment with every byte value, so a text conversion anywhere would show. */
export const REPORT = Buffer.concat([
  Buffer.from('%PDF-1.4\n'),
  Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
]);

/** A one-pixel PNG, sent as an inline image. */
export const LOGO = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

/** The Content-ID of LOGO, which the HTML part refers to. */
export const LOGO_CID = 'logo@dustmail.test';

/** Ids of a stored message with one attachment, and the key of the account that owns it. */
export type MailIds = { key: string; inboxId: string; emailId: string; attachmentId: string };

/** A premium account with one message carrying every field, and a second, empty inbox. */
export interface RichMessage {
  key: string;
  inboxId: string;
  address: string;
  emailId: string;
  messageId: string;
  /** The address of the account's second inbox, for messages a test sends itself. */
  partsTo: string;
}

/** Stores messages in the service a test file starts in `beforeAll`; see `restApi`. */
export function storedMail(service: () => TestService) {
  const { createInbox } = restApi(service);

  /** Sends a message whose one attachment is the given MIME part and returns their ids. */
  async function sendWithPart(to: string, headers: string, content: Buffer) {
    const encoded = content.toString('base64');
    const raw = `${headers}\r\nContent-Transfer-Encoding: base64\r\n\r\n${encoded}`;
    await sendMail(service().smtpPort, {
      to,
      subject: 'One part',
      text: 'See the part',
      attachments: [{ raw }],
    });
    const rows = await service().sql<{ inbox_id: string; email_id: string; id: string }>(
      `select e."inbox_id", a."email_id", a."id" from "attachment" a
       join "email" e on e."id" = a."email_id"
       join "inbox" i on i."id" = e."inbox_id" where i."address" = $1
       order by e."received_at" desc limit 1`,
      [to],
    );
    const row = rows[0];
    if (!row) throw new Error('the part was not stored');
    return { inboxId: row.inbox_id, emailId: row.email_id, attachmentId: row.id };
  }

  /** A new account's inbox holding one message with one attachment. */
  async function inboxWithMail(plan: 'free' | 'premium' = 'premium'): Promise<MailIds> {
    const key = await service().createAccount(plan);
    const inbox = await createInbox(key);
    const part = 'Content-Type: text/plain\r\nContent-Disposition: attachment; filename="a.txt"';
    const ids = await sendWithPart(inbox.email, part, Buffer.from('attached text'));
    return { key, ...ids };
  }

  /** Sends the message with every field: two address lists, a report and an inline logo. */
  async function sendRichMessage(): Promise<RichMessage> {
    const key = await service().createAccount('premium');
    const inbox = await createInbox(key);
    const info = await sendMail(service().smtpPort, {
      from: 'Ada Lovelace <ada@example.com>',
      to: [inbox.email, 'Grace Hopper <grace@example.org>'],
      cc: 'Carol Shaw <carol@example.net>',
      replyTo: 'Replies <replies@example.com>',
      date: new Date('2026-03-30T12:00:00.000Z'),
      subject: 'Quarterly report',
      headers: { 'X-Campaign': 'spring' },
      text: 'The report is attached.',
      html: `<p>The report is attached.</p><img src="cid:${LOGO_CID}">`,
      attachments: [
        { filename: 'report.pdf', content: REPORT, contentType: 'application/pdf' },
        { filename: 'logo.png', content: LOGO, contentType: 'image/png', cid: LOGO_CID },
      ],
      envelope: { from: 'bounces@example.com', to: [inbox.email] },
    });
    const [email] = await service().sql<{ id: string }>(
      'select "id" from "email" where "inbox_id" = $1',
      [inbox.id],
    );
    const parts = await createInbox(key);

    return {
      key,
      inboxId: inbox.id,
      address: inbox.email,
      emailId: email?.id ?? '',
      messageId: info.messageId,
      partsTo: parts.email,
    };
  }

  return { sendWithPart, inboxWithMail, sendRichMessage };
}
