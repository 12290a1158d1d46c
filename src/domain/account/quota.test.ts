import { describe, expect, it } from 'vitest';

import { nextUtcMidnight, RateLimitedError, utcDay } from './quota';

describe('the UTC day', () => {
  it('changes at UTC midnight, whatever the local zone', () => {
    const before = new Date('2026-12-04T23:59:59.999Z');
    const after = new Date('2026-12-05T00:00:00.000Z');

    expect(utcDay(before)).toBe('2026-12-04');
    expect(utcDay(after)).toBe('2026-12-05');
    expect(nextUtcMidnight(before).toISOString()).toBe('2026-12-05T00:00:00.000Z');
    expect(nextUtcMidnight(after).toISOString()).toBe('2026-12-06T00:00:00.000Z');
  });

  it('gives Retry-After as whole seconds to the next midnight, at least one', () => {
    const now = new Date('2026-12-04T23:00:00.500Z');
    const quota = { limit: 100, used: 100, resetAt: nextUtcMidnight(now) };

    expect(new RateLimitedError(quota, now).retryAfterSeconds).toBe(3600);
    const last = new Date('2026-12-04T23:59:59.999Z');
    expect(
      new RateLimitedError({ ...quota, resetAt: nextUtcMidnight(last) }, last).retryAfterSeconds,
    ).toBe(1);
  });
});
