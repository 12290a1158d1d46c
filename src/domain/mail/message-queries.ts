import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import pLimit from 'p-limit';

import { Account } from '../../db/entities/account';
import { Attachment } from '../../db/entities/attachment';
import { Email } from '../../db/entities/email';
import { RawMessage } from '../../db/entities/raw-message';
import { NotFoundError, ValidationError } from '../../lib/errors';
import { LOWER_CASE_UUID } from '../../lib/uuid';
import { assertUuid, findActiveInbox } from '../inbox/inbox-queries';
import { extractAttachment } from './parse-message';

/** Pages of emails hold at most this many. */
export const MAX_PAGE_SIZE = 100;

/** One page of an inbox's emails, newest first. */
export interface EmailPage {
  emails: Email[];
  hasNextPage: boolean;
}

interface Cursor {
  receivedAt: Date;
  id: string;
}

/** An opaque cursor pointing just after an email in newest-first order. */
export function encodeCursor(email: Pick<Email, 'receivedAt' | 'id'>): string {
  return Buffer.from(`${email.receivedAt.toISOString()}|${email.id}`).toString('base64url');
}

/**
 * A receive time as encodeCursor writes it: UTC with milliseconds. Years run from 0001 to
 * 9999; PostgreSQL refuses year 0, and JavaScript writes other years with six digits.
 */
const CURSOR_TIME_PATTERN = /^(?!0000)\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * The position a cursor names. Only what encodeCursor could have written is accepted, so a
 * forged cursor fails here with VALIDATION_ERROR instead of in the database.
 */
function decodeCursor(cursor: string): Cursor {
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const [time = '', id = ''] = parts;
  const receivedAt = new Date(time);

  // A date that does not exist (February 30) rolls over, so it is not written back the same.
  const isWellFormed =
    parts.length === 2 &&
    CURSOR_TIME_PATTERN.test(time) &&
    LOWER_CASE_UUID.test(id) &&
    !Number.isNaN(receivedAt.getTime()) &&
    receivedAt.toISOString() === time;
  if (!isWellFormed) throw new ValidationError('after is not a valid cursor');
  return { receivedAt, id };
}

/** A page of an inbox's emails, newest first, after an optional cursor. */
export async function listEmails(
  em: EntityManager,
  inboxId: string,
  first: number,
  after: string | null | undefined,
): Promise<EmailPage> {
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw new ValidationError(`first must be between 0 and ${MAX_PAGE_SIZE}`);
  }
  const where: FilterQuery<Email> = { inbox: inboxId };
  if (after) {
    const cursor = decodeCursor(after);
    where.$or = [
      { receivedAt: { $lt: cursor.receivedAt } },
      { receivedAt: cursor.receivedAt, id: { $lt: cursor.id } },
    ];
  }

  const rows = await em.find(Email, where, {
    orderBy: { receivedAt: 'desc', id: 'desc' },
    limit: first + 1,
  });
  return { emails: rows.slice(0, first), hasNextPage: rows.length > first };
}

/** One email by id, if it belongs to one of the account's inboxes. */
export async function findEmailForAccount(
  em: EntityManager,
  accountId: string,
  emailId: string,
): Promise<Email | null> {
  return em.findOne(Email, { id: emailId, inbox: { account: accountId } });
}

/** Where one email is looked up: an inbox and an email id, as the caller gave them. */
export interface EmailLocation {
  inboxId: string;
  emailId: string;
}

/** An attachment's description, without its content. */
export type AttachmentInfo = Omit<Attachment, 'email'> & { emailId: string };

/**
 * The one access rule for a message and everything of it: the email belongs to an active
 * inbox of the account. Anything else, another account's included, is not found.
 */
export async function findEmailInInbox(
  em: EntityManager,
  account: Account,
  where: EmailLocation,
  now: Date,
): Promise<Email> {
  const inbox = await findActiveInbox(em, account, where.inboxId, now);
  const id = assertUuid(where.emailId, 'emailId');

  const email = await em.findOne(Email, { id, inbox: inbox.id });
  if (!email) throw NotFoundError.email();
  return email;
}

async function rawContent(em: EntityManager, email: Email): Promise<Buffer> {
  const raw = await em.findOne(RawMessage, { email: email.id }, { populate: ['content'] });
  // Only a purge racing this read leaves an email without its raw bytes.
  if (!raw) throw NotFoundError.email();
  return raw.content;
}

/** The raw bytes of an email the account may read, exactly as received. */
export async function readRawMessage(
  em: EntityManager,
  accountId: string,
  where: EmailLocation,
  now: Date,
): Promise<Buffer> {
  const email = await findEmailInInbox(em, em.getReference(Account, accountId), where, now);
  return rawContent(em, email);
}

/** One attachment of an email the caller already reached through {@link findEmailInInbox}. */
export async function findAttachment(
  em: EntityManager,
  email: Email,
  attachmentId: string,
): Promise<AttachmentInfo> {
  const id = assertUuid(attachmentId, 'attachmentId');
  const attachment = await em.findOne(Attachment, { id, email: email.id });
  if (!attachment) throw NotFoundError.attachment();
  return toAttachmentInfo(attachment);
}

/**
 * Attachment downloads decoded at once in this process. Each holds its whole raw message
 * and parses it again on the main thread: without a limit, parallel downloads of a large
 * attachment grew memory by gigabytes and held every other request for seconds.
 */
const decoding = pLimit(2);

/** The decoded content of one attachment of an email the account may read. */
export async function readAttachmentContent(
  em: EntityManager,
  accountId: string,
  where: EmailLocation & { attachmentId: string },
  now: Date,
): Promise<Buffer> {
  const email = await findEmailInInbox(em, em.getReference(Account, accountId), where, now);
  const attachment = await findAttachment(em, email, where.attachmentId);

  // Only the description is stored; the bytes are decoded again from the raw message.
  const content = await decoding(async () =>
    extractAttachment(await rawContent(em, email), attachment.checksum),
  );
  if (!content) throw new Error('a stored attachment is missing from its raw message');
  return content;
}

/**
 * The attachments of several emails in one query, without their content, each email's in
 * message order. The identity map is skipped: these rows are only read, and a long-lived
 * subscription context must not collect them.
 */
export async function listAttachments(
  em: EntityManager,
  emailIds: readonly string[],
): Promise<Map<string, AttachmentInfo[]>> {
  const byEmail = new Map<string, AttachmentInfo[]>(emailIds.map((id) => [id, []]));
  if (emailIds.length === 0) return byEmail;

  const rows = await em.find(
    Attachment,
    { email: { $in: [...emailIds] } },
    { orderBy: { position: 'asc', id: 'asc' }, disableIdentityMap: true },
  );
  for (const row of rows) byEmail.get(row.email.id)?.push(toAttachmentInfo(row));
  return byEmail;
}

function toAttachmentInfo(attachment: Attachment): AttachmentInfo {
  return {
    id: attachment.id,
    createdAt: attachment.createdAt,
    emailId: attachment.email.id,
    filename: attachment.filename,
    contentType: attachment.contentType,
    size: attachment.size,
    contentId: attachment.contentId,
    inline: attachment.inline,
    checksum: attachment.checksum,
    position: attachment.position,
  };
}
