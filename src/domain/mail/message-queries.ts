import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';

import { Email } from '../../db/entities/email';
import { ValidationError } from '../../lib/errors';

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

function decodeCursor(cursor: string): Cursor {
  const [time, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const receivedAt = new Date(time ?? '');
  if (!id || Number.isNaN(receivedAt.getTime()) || !/^[0-9a-f-]{36}$/.test(id)) {
    throw new ValidationError('after is not a valid cursor');
  }
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
