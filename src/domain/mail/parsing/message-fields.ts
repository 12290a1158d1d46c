import type { AddressObject, EmailAddress } from 'mailparser';

import type { HeaderLine, MailAddress } from '../../../db/entities/email';
import type { ParsedAttachment } from '../parse-message';
import type { ReadMail } from './read-mail';

/** Every mailbox of an address field, group members included, in order. */
export function addressesOf(field: AddressObject | AddressObject[] | undefined): MailAddress[] {
  const entries = flatEntries(field);
  const mailboxes = entries.flatMap(({ name, address }) =>
    address ? [{ name: name ?? '', address }] : [],
  );
  if (mailboxes.length > 0) return mailboxes;

  // A lone local part such as "MAILER-DAEMON" (no domain, so not an RFC 5322 addr-spec) comes
  // back as a name; when nothing else is there, it is still the only sender there is.
  return entries.flatMap(({ name, group }) =>
    !group && name && BARE_LOCAL_PART.test(name) ? [{ name: '', address: name }] : [],
  );
}

/** Header lines in message order, unfolded, with the name as the sender wrote it. */
export function headerLinesOf(parsed: ReadMail): HeaderLine[] {
  return parsed.headerLines.map(({ key, line }) => {
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim() : key;
    // Unfold continuation lines (RFC 5322 section 2.2.3).
    const value = (colon > 0 ? line.slice(colon + 1) : '').replace(/\r?\n[ \t]+/g, ' ').trim();
    return { name, value };
  });
}

/** Attachments and inline parts with their sizes and checksums. */
export function attachmentsOf(parsed: ReadMail): ParsedAttachment[] {
  return parsed.attachments.map((part) => ({
    filename: part.filename ?? null,
    contentType: part.contentType,
    size: part.size,
    contentId: part.cid ?? null,
    // A part inside multipart/related is shown in place through its cid: URL (RFC 2387).
    inline: part.contentDisposition === 'inline' || part.related === true,
    checksum: part.checksum,
  }));
}

const BARE_LOCAL_PART = /^[^\s@<>()[\]",;:]+$/;

function flatEntries(field: AddressObject | AddressObject[] | undefined): EmailAddress[] {
  if (!field) return [];
  const objects = Array.isArray(field) ? field : [field];
  return objects.flatMap((object) =>
    object.value.flatMap((entry) => [entry, ...(entry.group ?? [])]),
  );
}
