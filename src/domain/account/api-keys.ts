import { createHash, randomInt, timingSafeEqual } from 'node:crypto';

import type { EntityManager } from '@mikro-orm/postgresql';

import { Account } from '../../db/entities/account';
import { ApiKey } from '../../db/entities/api-key';

const KEY_PREFIX = 'dm_live_';
const KEY_RANDOM_CHARS = 32;
/** Characters of the random part kept in clear to find the row; the rest stays secret. */
const LOOKUP_CHARS = 8;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const KEY_PATTERN = /^dm_live_[0-9A-Za-z]{32}$/;

/** A key as created: the secret is shown this once and never stored. */
export interface IssuedKey {
  id: string;
  name: string;
  prefix: string;
  secret: string;
  createdAt: Date;
}

/** True when the text has the shape of an API key. */
export function isWellFormedKey(text: string): boolean {
  return KEY_PATTERN.test(text);
}

function randomBase62(length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += BASE62[randomInt(BASE62.length)];
  return out;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function lookupPrefix(secret: string): string {
  return secret.slice(0, KEY_PREFIX.length + LOOKUP_CHARS);
}

/** Makes a new key for an account and stores only its hash. */
export function issueKey(em: EntityManager, account: Account, name: string): IssuedKey {
  const secret = KEY_PREFIX + randomBase62(KEY_RANDOM_CHARS);
  const key = new ApiKey(account, name, lookupPrefix(secret), sha256(secret));
  em.persist(key);
  return { id: key.id, name, prefix: key.prefix, secret, createdAt: key.createdAt };
}

/** Finds the account of a live key, comparing hashes in constant time. */
export async function findAccountByKey(em: EntityManager, secret: string): Promise<Account | null> {
  if (!isWellFormedKey(secret)) return null;

  const hash = sha256(secret);
  const candidates = await em.find(
    ApiKey,
    { prefix: lookupPrefix(secret), revokedAt: null },
    { populate: ['account'] },
  );
  const match = candidates.find((key) => timingSafeEqual(key.hash, hash));
  return match ? match.account : null;
}

/** Creates an account with its first key. */
export async function createAccount(
  em: EntityManager,
  email: string,
  plan: Account['plan'],
): Promise<{ account: Account; key: IssuedKey }> {
  const account = new Account(email.trim().toLowerCase(), plan);
  em.persist(account);
  const key = issueKey(em, account, 'default');
  await em.flush();
  return { account, key };
}
