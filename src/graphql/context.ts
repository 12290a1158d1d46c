import type { Resolver } from 'node:dns/promises';

import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';

import type { Config } from '../config/env';
import type { Account } from '../db/entities/account';
import type { Orm } from '../db/orm';
import { findAccountByKey } from '../domain/account/api-keys';
import { countRequest, type QuotaState } from '../domain/account/quota';
import { countEmails } from '../domain/inbox/inbox-queries';
import { AppError } from '../lib/errors';
import type { Logger } from '../lib/logger';
import type { EmailPubSub } from './pubsub';

/** What every resolver can reach; one per HTTP request or websocket operation. */
export interface GraphQLContext {
  em: EntityManager;
  config: Config;
  /** The caller's account; null when no valid key was given. */
  account: Account | null;
  /** Today's quota after counting this request; null without an account. */
  quota: QuotaState | null;
  now: () => Date;
  pubsub: EmailPubSub;
  orm: Orm;
  log: Logger;
  /** Looks up custom domains' records (DUSTMAIL_DNS_SERVERS). */
  resolver: Resolver;
  emailCounts: DataLoader<string, number>;
}

/** What the context factory needs from the running service. */
export interface ContextDeps {
  orm: Orm;
  config: Config;
  pubsub: EmailPubSub;
  log: Logger;
  /** Looks up custom domains' records (DUSTMAIL_DNS_SERVERS). */
  resolver: Resolver;
  /** The clock; tests replace it. */
  now: () => Date;
}

/** Reads the API key from `Authorization: Bearer …` or `X-API-Key`. */
export function keyFromHeaders(get: (name: string) => string | null | undefined): string | null {
  const authorization = get('authorization');
  if (authorization) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match?.[1] ?? null;
  }
  const apiKey = get('x-api-key');
  return apiKey ? apiKey.trim() : null;
}

/** Raised when a resolver needs an account and the request has no valid key. */
export function unauthorized(): AppError {
  return new AppError('UNAUTHORIZED', 'A valid API key is required');
}

/** The caller's account, or UNAUTHORIZED. */
export function requireAccount(ctx: GraphQLContext): Account {
  if (!ctx.account) throw unauthorized();
  return ctx.account;
}

/**
 * Builds the context for one unit of work: forks the EntityManager, resolves the key and
 * counts the request against the daily quota (throws RATE_LIMITED when it is spent).
 */
export async function createContext(
  deps: ContextDeps,
  key: string | null,
): Promise<GraphQLContext> {
  const em = deps.orm.em.fork();
  const account = key ? await findAccountByKey(em, key) : null;
  const quota = account
    ? await countRequest(em, account.id, deps.config.plans[account.plan], deps.now())
    : null;

  return {
    em,
    config: deps.config,
    account,
    quota,
    now: deps.now,
    pubsub: deps.pubsub,
    orm: deps.orm,
    log: deps.log,
    resolver: deps.resolver,
    emailCounts: new DataLoader(async (ids) => {
      const counts = await countEmails(em, ids);
      return ids.map((id) => counts.get(id) ?? 0);
    }),
  };
}
