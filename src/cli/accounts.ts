import { type EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';

import type { Plan } from '../config/env';
import { Account } from '../db/entities/account';
import { ApiKey } from '../db/entities/api-key';
import type { Orm } from '../db/orm';
import { createAccount, issueKey } from '../domain/account/api-keys';

/** A failure the CLI reports as one line and exit code 1. */
export class CliError extends Error {}

/** The account with this email, loaded into `em`; a CliError when there is none. */
export async function accountByEmail(em: EntityManager, email: string): Promise<Account> {
  const account = await em.findOne(Account, { email: email.trim().toLowerCase() });
  if (!account) throw new CliError(`No account with email ${email}`);
  return account;
}

/** `account create`: a new account and its first key, as JSON. */
export async function accountCreate(orm: Orm, email: string, plan: Plan) {
  try {
    const { account, key } = await createAccount(orm.em.fork(), email, plan);
    return {
      account: {
        id: account.id,
        email: account.email,
        plan: account.plan,
        created_at: account.createdAt,
      },
      api_key: {
        id: key.id,
        name: key.name,
        prefix: key.prefix,
        key: key.secret,
        created_at: key.createdAt,
      },
    };
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) {
      throw new CliError(`An account with email ${email} exists already`);
    }
    throw err;
  }
}

/**
 * `account set-plan`: changes the plan. Existing inboxes keep their expiry; new inboxes
 * and the quota follow the new plan at once.
 */
export async function accountSetPlan(orm: Orm, email: string, plan: Plan) {
  const em = orm.em.fork();
  const account = await accountByEmail(em, email);
  account.plan = plan;
  await em.flush();
  return { account: { id: account.id, email: account.email, plan: account.plan } };
}

/** `key create`: another key for an account. */
export async function keyCreate(orm: Orm, email: string, name: string) {
  const em = orm.em.fork();
  const account = await accountByEmail(em, email);
  const key = issueKey(em, account, name);
  await em.flush();
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    key: key.secret,
    created_at: key.createdAt,
  };
}

/** `key list`: an account's keys, without secrets. */
export async function keyList(orm: Orm, email: string) {
  const em = orm.em.fork();
  const account = await accountByEmail(em, email);
  const keys = await em.find(ApiKey, { account: account.id }, { orderBy: { createdAt: 'asc' } });
  return keys.map((k) => ({
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    created_at: k.createdAt,
    revoked_at: k.revokedAt,
  }));
}

/** `key revoke`: a revoked key stops working at once. */
export async function keyRevoke(orm: Orm, id: string) {
  const em = orm.em.fork();
  const key = /^[0-9a-f-]{36}$/i.test(id) ? await em.findOne(ApiKey, { id }) : null;
  if (!key) throw new CliError(`No key with id ${id}`);
  key.revokedAt ??= new Date();
  await em.flush();
  return { id: key.id, revoked_at: key.revokedAt };
}
