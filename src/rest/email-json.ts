// The REST form of an email, shared by the inbox and the email routes.

interface AddressFields {
  name: string;
  address: string;
}

/** An attachment as the EmailFields fragment selects it. */
export interface AttachmentFields {
  id: string;
  filename: string | null;
  contentType: string;
  size: number;
  contentId: string | null;
  inline: boolean;
  checksum: string;
}

/** An email as the EmailFields fragment selects it. */
export interface EmailFields {
  id: string;
  inboxId: string;
  from: string;
  fromName: string | null;
  to: AddressFields[];
  cc: AddressFields[];
  replyTo: AddressFields[];
  subject: string | null;
  text: string;
  html: string | null;
  messageId: string | null;
  date: string | null;
  size: number;
  headers: { name: string; value: string }[];
  attachments: AttachmentFields[];
  envelopeFrom: string;
  parseProblem: string | null;
  receivedAt: string;
}

function attachmentJson(attachment: AttachmentFields) {
  return {
    id: attachment.id,
    filename: attachment.filename,
    content_type: attachment.contentType,
    size: attachment.size,
    content_id: attachment.contentId,
    inline: attachment.inline,
    checksum: attachment.checksum,
  };
}

/** An email in the REST form: the documented fields first, then the rest in snake_case. */
export function emailJson(email: EmailFields) {
  return {
    id: email.id,
    from: email.from,
    subject: email.subject ?? '',
    text: email.text,
    html: email.html,
    received_at: email.receivedAt,
    inbox_id: email.inboxId,
    from_name: email.fromName,
    to: email.to,
    cc: email.cc,
    reply_to: email.replyTo,
    message_id: email.messageId,
    date: email.date,
    size: email.size,
    headers: email.headers,
    attachments: email.attachments.map(attachmentJson),
    envelope_from: email.envelopeFrom,
    parse_problem: email.parseProblem,
  };
}
