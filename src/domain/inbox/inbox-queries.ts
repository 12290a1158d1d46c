import type { EntityManager } from '@mikro-orm/postgresql';

import type { Account } from '../../db/entities/account';
import { Inbox } from '../../db/entities/inbox';
import { NotFoundError, ValidationError } from '../../lib/errors';
import { isUuid } from '../../lib/uuid';

/** Listings return at most this many inboxes. */
export const INBOX_LIST_LIMIT = 50;

/** Rejects ids that cannot be ours with VALIDATION_ERROR instead of a database error. */
export function assertUuid(id: string, what: string): string {
  if (!isUuid(id)) throw new ValidationError(`${what} must be a UUID`);
  return id.toLowerCase();
}

function activeFilter(account: Account, now: Date) {
  return { account: account.id, deletedAt: null, expiresAt: { $gt: now } };
}

/** The account's inbox if it is active; anything else looks the same: not found. */
export async function findActiveInbox(
  em: EntityManager,
  account: Account,
  inboxId: string,
  now: Date,
): Promise<Inbox> {
  const id = assertUuid(inboxId, 'id');
  const inbox = await em.findOne(Inbox, { id, ...activeFilter(account, now) });
  if (!inbox) throw NotFoundError.inbox();
  return inbox;
}

/** The account's active inboxes, newest first, and how many there are in all. */
export async function listActiveInboxes(
  em: EntityManager,
  account: Account,
  now: Date,
  limit = INBOX_LIST_LIMIT,
): Promise<{ inboxes: Inbox[]; total: number }> {
  const [inboxes, total] = await em.findAndCount(Inbox, activeFilter(account, now), {
    orderBy: { createdAt: 'desc', id: 'desc' },
    limit,
  });
  return { inboxes, total };
}

/** Email counts for several inboxes in one query. */
export async function countEmails(
  em: EntityManager,
  inboxIds: readonly string[],
): Promise<Map<string, number>> {
  const counts = new Map<string, number>(inboxIds.map((id) => [id, 0]));
  if (inboxIds.length === 0) return counts;

  const rows = await em
    .getConnection()
    .execute<{ inbox_id: string; n: string }[]>(
      'select "inbox_id", count(*) as "n" from "email" where "inbox_id" in (?) ' +
        'group by "inbox_id"',
      [[...inboxIds]],
    );
  for (const row of rows) counts.set(row.inbox_id, Number(row.n));
  return counts;
}
