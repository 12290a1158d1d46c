import type { QuotaState } from '../domain/account/quota';

/**
 * The X-RateLimit-* headers for a quota (Retry-After too when refused). An unlimited plan
 * has no Limit or Remaining figure to give, so only the reset time is sent.
 */
export function rateLimitHeaders(
  quota: QuotaState,
  retryAfterSeconds?: number,
): Record<string, string> {
  const resetSeconds = Math.ceil(quota.resetAt.getTime() / 1000);
  const headers: Record<string, string> = { 'X-RateLimit-Reset': String(resetSeconds) };
  if (quota.limit !== null) {
    headers['X-RateLimit-Limit'] = String(quota.limit);
    headers['X-RateLimit-Remaining'] = String(Math.max(0, quota.limit - quota.used));
  }
  if (retryAfterSeconds !== undefined) headers['Retry-After'] = String(retryAfterSeconds);
  return headers;
}
