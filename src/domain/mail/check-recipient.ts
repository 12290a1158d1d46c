import type { EntityManager } from '@mikro-orm/postgresql';

import type { Config } from '../../config/env';
import { Inbox } from '../../db/entities/inbox';
import { normaliseDomain } from '../../lib/domain-name';
import { isOwnDomain } from '../inbox/domains';

/** The verdict on one RCPT TO address. */
export type RecipientVerdict = 'accept' | 'unknown-mailbox' | 'foreign-domain';

/** Splits and lower-cases an address; undefined when it has no usable domain. */
export function normaliseAddress(address: string): string | undefined {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return undefined;
  try {
    const domain = normaliseDomain(address.slice(at + 1));
    return `${address.slice(0, at).toLowerCase()}@${domain}`;
  } catch {
    return undefined;
  }
}

/** An active inbox that can take mail. */
export interface ReceivingInbox {
  id: string;
  address: string;
  accountId: string;
}

/** Finds the active inboxes among the given addresses. */
export async function findReceivingInboxes(
  em: EntityManager,
  addresses: readonly string[],
  now: Date,
): Promise<ReceivingInbox[]> {
  const normal = addresses.map(normaliseAddress).filter((a): a is string => a !== undefined);
  if (normal.length === 0) return [];

  const rows = await em.find(
    Inbox,
    { address: { $in: [...new Set(normal)] }, deletedAt: null, expiresAt: { $gt: now } },
    { fields: ['id', 'address', 'account'] },
  );
  return rows.map((row) => ({ id: row.id, address: row.address, accountId: row.account.id }));
}

/** Decides at RCPT time whether a recipient can receive mail here. Never an open relay. */
export async function checkRecipient(
  em: EntityManager,
  config: Config,
  address: string,
  now: Date = new Date(),
): Promise<RecipientVerdict> {
  const normal = normaliseAddress(address);
  if (!normal) return 'foreign-domain';
  const domain = normal.slice(normal.lastIndexOf('@') + 1);
  if (!(await isOwnDomain(em, config, domain))) return 'foreign-domain';

  const inboxes = await findReceivingInboxes(em, [normal], now);
  return inboxes.length > 0 ? 'accept' : 'unknown-mailbox';
}
