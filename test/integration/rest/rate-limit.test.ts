import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { FREE_DAILY_REQUESTS, nextUtcMidnight, PRIMARY, SPARE } from '../../helpers/api-values';
import { errorBody, INBOX, restApi } from '../../helpers/rest-api';
import { startService, type TestService } from '../../helpers/service';

// The contract under test is api-v1.md: field names, shapes and status codes are exact.

let service: TestService;
const { call, createInbox, newAccount, storedUsage } = restApi(() => service);

beforeAll(async () => {
  service = await startService({ DUSTMAIL_DOMAINS: `${PRIMARY},${SPARE}` });
});

afterAll(async () => {
  await service?.stop();
});

describe('meta.rate_limit', () => {
  it('counts up by one per request of a free account', async () => {
    const { key } = await newAccount('free');
    const inbox = await createInbox(key);

    const responses = [
      await call('GET', INBOX, key),
      await call('GET', `${INBOX}/${inbox.id}`, key),
      await call('POST', INBOX, key),
      await call('GET', INBOX, key),
    ];

    expect(responses.map((r) => r.body.meta.rate_limit)).toEqual(
      [2, 3, 4, 5].map((used) => ({ limit: FREE_DAILY_REQUESTS, used })),
    );
  });

  it('counts a request answered 404 like any other', async () => {
    const { key } = await newAccount('free');
    await call('GET', `${INBOX}/00000000-0000-4000-8000-000000000000`, key);

    const response = await call('GET', INBOX, key);

    expect(response.body.meta.rate_limit).toEqual({ limit: FREE_DAILY_REQUESTS, used: 2 });
  });

  it('comes with X-RateLimit headers on an authenticated error response', async () => {
    const { key } = await newAccount('free');

    const response = await call('GET', `${INBOX}/00000000-0000-4000-8000-000000000000`, key);

    expect(response.status).toBe(404);
    expect(response.headers.get('x-ratelimit-limit')).toBe('100');
    expect(response.headers.get('x-ratelimit-remaining')).toBe('99');
  });

  it('has a null limit for a premium account', async () => {
    const { key } = await newAccount('premium');
    await createInbox(key);

    const response = await call('GET', INBOX, key);

    expect(response.body.meta.rate_limit).toEqual({ limit: null, used: 2 });
  });

  it('comes with X-RateLimit headers on a free response', async () => {
    const { key } = await newAccount('free');
    await call('GET', INBOX, key);

    const response = await call('GET', INBOX, key);

    const reset = nextUtcMidnight(new Date()).getTime() / 1000;
    expect(response.headers.get('x-ratelimit-limit')).toBe('100');
    expect(response.headers.get('x-ratelimit-remaining')).toBe('98');
    expect(response.headers.get('x-ratelimit-reset')).toBe(String(reset));
  });

  it('comes with X-RateLimit headers saying unlimited on a premium response', async () => {
    const { key } = await newAccount('premium');

    const response = await call('GET', INBOX, key);

    const reset = nextUtcMidnight(new Date()).getTime() / 1000;
    expect(response.headers.get('x-ratelimit-limit')).toBe('unlimited');
    expect(response.headers.get('x-ratelimit-remaining')).toBe('unlimited');
    expect(response.headers.get('x-ratelimit-reset')).toBe(String(reset));
  });
});

describe('daily quota', () => {
  it("answers the free account's 101st request with 429 RATE_LIMITED and does not count it", async () => {
    const account = await newAccount('free');
    const batchSize = 10;
    const used: number[] = [];
    for (let sent = 0; sent < FREE_DAILY_REQUESTS; sent += batchSize) {
      const batch = await Promise.all(
        Array.from({ length: batchSize }, () => call('GET', INBOX, account.key)),
      );
      for (const response of batch) {
        expect(response.status).toBe(200);
        used.push(response.body.meta.rate_limit.used);
      }
    }
    expect(used.sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));

    const refused = await call('GET', INBOX, account.key);
    const now = new Date();

    expect(refused.status).toBe(429);
    expect(refused.body).toEqual(errorBody('RATE_LIMITED'));
    const midnight = nextUtcMidnight(now).getTime();
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(Math.ceil((midnight - now.getTime()) / 1000) - 5);
    expect(retryAfter).toBeLessThanOrEqual(Math.ceil((midnight - now.getTime()) / 1000) + 1);
    expect(refused.headers.get('x-ratelimit-limit')).toBe('100');
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(refused.headers.get('x-ratelimit-reset')).toBe(String(midnight / 1000));
    expect((await call('POST', INBOX, account.key)).status).toBe(429);
    expect(await storedUsage(account.email)).toBe(FREE_DAILY_REQUESTS);
  });

  it('lets exactly 100 of 150 simultaneous requests through and counts only those', async () => {
    const account = await newAccount('free');

    const responses = await Promise.all(
      Array.from({ length: 150 }, () => call('GET', INBOX, account.key)),
    );

    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(100);
    expect(statuses.filter((status) => status === 429)).toHaveLength(50);
    expect(await storedUsage(account.email)).toBe(FREE_DAILY_REQUESTS);
  });
});
