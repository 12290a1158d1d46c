import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';

import type { Config } from '../../config/env';
import type { Account } from '../../db/entities/account';
import { Inbox } from '../../db/entities/inbox';
import { AppError, ConflictError } from '../../lib/errors';
import { chooseDomain } from './domains';
import { findActiveInbox } from './inbox-queries';
import { normaliseUsername, randomUsername } from './usernames';

/** Random names collide rarely; a few fresh draws are plenty. */
const RANDOM_NAME_ATTEMPTS = 5;

/** What a client may ask for when creating an inbox. */
export interface CreateInboxInput {
  username?: string | undefined;
  domain?: string | undefined;
}

async function insertInbox(em: EntityManager, inbox: Inbox): Promise<boolean> {
  try {
    await em.insert(Inbox, inbox);
    return true;
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) return false;
    throw err;
  }
}

/** Creates an inbox under the account's plan rules. Addresses are never handed out twice. */
export async function createInbox(
  em: EntityManager,
  config: Config,
  account: Account,
  input: CreateInboxInput,
  now: Date,
): Promise<Inbox> {
  if (input.username !== undefined && account.plan !== 'premium') {
    throw new AppError('PREMIUM_REQUIRED', 'Only premium accounts may choose a username');
  }
  const domain = await chooseDomain(em, config, account, input.domain);
  const chosen = input.username === undefined ? undefined : normaliseUsername(input.username);
  const ttlMs = config.plans[account.plan].inboxTtlSeconds * 1000;
  const expiresAt = new Date(now.getTime() + ttlMs);

  const attempts = chosen === undefined ? RANDOM_NAME_ATTEMPTS : 1;
  for (let i = 0; i < attempts; i += 1) {
    const localPart = chosen ?? randomUsername();
    const inbox = new Inbox(account, localPart, domain, `${localPart}@${domain}`, expiresAt);
    inbox.createdAt = now;
    if (await insertInbox(em, inbox)) return inbox;
  }
  throw ConflictError.addressTaken();
}

/** Marks the account's active inbox deleted; its address then refuses mail. */
export async function deleteInbox(
  em: EntityManager,
  account: Account,
  inboxId: string,
  now: Date,
): Promise<void> {
  const inbox = await findActiveInbox(em, account, inboxId, now);
  await em.nativeUpdate(Inbox, { id: inbox.id }, { deletedAt: now });
}
