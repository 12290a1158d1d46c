import type { EntityManager } from '@mikro-orm/postgresql';

import type { PlanLimits } from '../../config/env';
import { AppError } from '../../lib/errors';

/** The quota figures reported with every authenticated response. */
export interface QuotaState {
  /** Requests allowed per UTC day; null when unlimited. */
  limit: number | null;
  used: number;
  /** Start of the next UTC day, when the counter starts again. */
  resetAt: Date;
}

/** The UTC day (YYYY-MM-DD) a moment falls in. */
export function utcDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** The next UTC midnight after a moment. */
export function nextUtcMidnight(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
}

/** Raised when the account's daily quota is spent; carries the figures for the headers. */
export class RateLimitedError extends AppError {
  /** Seconds from the refusal to the next UTC midnight. */
  readonly retryAfterSeconds: number;

  constructor(
    readonly quota: QuotaState,
    now: Date,
  ) {
    super('RATE_LIMITED', 'Daily request limit reached');
    this.retryAfterSeconds = Math.max(
      1,
      Math.ceil((quota.resetAt.getTime() - now.getTime()) / 1000),
    );
  }
}

/**
 * Counts one request against today's quota in a single atomic statement.
 * A request over the limit is refused and not counted.
 */
export async function countRequest(
  em: EntityManager,
  accountId: string,
  limits: PlanLimits,
  now: Date,
): Promise<QuotaState> {
  const day = utcDay(now);
  const limit = limits.dailyRequests;
  const resetAt = nextUtcMidnight(now);

  const rows = await em.getConnection().execute<{ count: number }[]>(
    `insert into "usage" ("account_id", "day", "count") values (?, ?, 1)
     on conflict ("account_id", "day") do update set "count" = "usage"."count" + 1
     where ?::int is null or "usage"."count" < ?::int
     returning "count"`,
    [accountId, day, limit, limit],
  );
  const counted = rows[0];
  if (counted) return { limit, used: counted.count, resetAt };

  const current = await em
    .getConnection()
    .execute<{ count: number }[]>(
      `select "count" from "usage" where "account_id" = ? and "day" = ?`,
      [accountId, day],
    );
  throw new RateLimitedError({ limit, used: current[0]?.count ?? limit ?? 0, resetAt }, now);
}

/** Today's figures without counting a request. */
export async function readQuota(
  em: EntityManager,
  accountId: string,
  limits: PlanLimits,
  now: Date,
): Promise<QuotaState> {
  const rows = await em
    .getConnection()
    .execute<{ count: number }[]>(
      `select "count" from "usage" where "account_id" = ? and "day" = ?`,
      [accountId, utcDay(now)],
    );
  return { limit: limits.dailyRequests, used: rows[0]?.count ?? 0, resetAt: nextUtcMidnight(now) };
}
