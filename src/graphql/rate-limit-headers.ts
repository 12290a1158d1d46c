import type { QuotaState } from '../domain/account/quota';

/** Limit and Remaining of a plan without a daily limit (meta.rate_limit.limit is null). */
const UNLIMITED = 'unlimited';

/**
 * The X-RateLimit-* headers for a quota (Retry-After too when refused). An unlimited plan
 * says `unlimited` rather than a number a client could mistake for a real budget.
 */
export function rateLimitHeaders(
  quota: QuotaState,
  retryAfterSeconds?: number,
): Record<string, string> {
  const { limit, used } = quota;
  const headers: Record<string, string> = {
    'X-RateLimit-Limit': limit === null ? UNLIMITED : String(limit),
    'X-RateLimit-Remaining': limit === null ? UNLIMITED : String(Math.max(0, limit - used)),
    'X-RateLimit-Reset': String(Math.ceil(quota.resetAt.getTime() / 1000)),
  };
  if (retryAfterSeconds !== undefined) headers['Retry-After'] = String(retryAfterSeconds);
  return headers;
}
