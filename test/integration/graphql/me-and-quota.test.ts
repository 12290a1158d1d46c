import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { FREE_DAILY_REQUESTS, nextUtcMidnight, PRIMARY, UUID } from '../../helpers/api-values';
import { errorCodes, graphqlApi, withoutQuota } from '../../helpers/graphql-api';
import { request } from '../../helpers/http';
import { startService, type TestService } from '../../helpers/service';

// The account and its quota over GraphQL (POST /graphql); see schema.graphql.

let service: TestService;
const { gql } = graphqlApi(() => service);

beforeAll(async () => {
  service = await startService();
});

afterAll(async () => {
  await service?.stop();
});

describe('query me', () => {
  it('returns the account of a free key with its quota', async () => {
    const key = await service.createAccount('free', `me.free.${Date.now()}@example.test`);

    const response = await gql(
      key,
      `{
      me { id email plan availableDomains quota { limit used remaining resetsAt } }
    }`,
    );

    expect(response.status).toBe(200);
    expect(withoutQuota(response.body)).toEqual({
      data: {
        me: {
          id: expect.stringMatching(UUID),
          email: expect.stringMatching(/^me\.free\.\d+@example\.test$/),
          plan: 'FREE',
          availableDomains: [PRIMARY],
          quota: {
            limit: FREE_DAILY_REQUESTS,
            used: 1,
            remaining: FREE_DAILY_REQUESTS - 1,
            resetsAt: nextUtcMidnight(new Date()).toISOString(),
          },
        },
      },
    });
  });

  it('returns an unlimited quota for a premium key', async () => {
    const key = await service.createAccount('premium');

    const response = await gql(key, '{ me { plan quota { limit used remaining } } }');

    expect(withoutQuota(response.body)).toEqual({
      data: { me: { plan: 'PREMIUM', quota: { limit: null, used: 1, remaining: null } } },
    });
  });

  it('accepts the key as X-API-Key', async () => {
    const key = await service.createAccount('free');

    const response = await request(service.httpUrl, 'POST', '/graphql', {
      headers: { 'x-api-key': key },
      body: { query: '{ me { plan } }' },
    });

    expect(withoutQuota(response.body)).toEqual({ data: { me: { plan: 'FREE' } } });
  });

  it('answers UNAUTHORIZED with status 401 without a key', async () => {
    const response = await gql(undefined, '{ me { id } }');

    expect(response.status).toBe(401);
    expect(response.body.data ?? null).toBeNull();
    expect(errorCodes(response.body)).toEqual(['UNAUTHORIZED']);
  });

  it('answers UNAUTHORIZED for an unknown well-formed key', async () => {
    const response = await gql(`dm_live_${'Z'.repeat(32)}`, '{ me { id } }');

    expect(response.status).toBe(401);
    expect(errorCodes(response.body)).toEqual(['UNAUTHORIZED']);
  });
});

describe('quota over GraphQL', () => {
  it('puts the X-RateLimit headers on an authenticated response', async () => {
    const key = await service.createAccount('free');

    const response = await gql(key, '{ me { id } }');

    expect(response.headers.get('x-ratelimit-limit')).toBe('100');
    expect(response.headers.get('x-ratelimit-remaining')).toBe('99');
    expect(response.headers.get('x-ratelimit-reset')).toBe(
      String(nextUtcMidnight(new Date()).getTime() / 1000),
    );
  });

  it('reports the quota in the result extensions', async () => {
    const key = await service.createAccount('free');

    await gql(key, '{ me { id } }');
    const response = await gql(key, '{ me { id } }');

    expect(response.body.extensions).toEqual({
      rateLimit: {
        limit: 100,
        used: 2,
        remaining: 98,
        resetsAt: nextUtcMidnight(new Date()).toISOString(),
      },
    });
  });

  it('counts GraphQL and REST requests together', async () => {
    const key = await service.createAccount('free');
    const restBefore = await request(service.httpUrl, 'GET', '/api/v1/inbox', { key });

    const response = await gql(key, '{ me { quota { used } } }');

    const restAfter = await request(service.httpUrl, 'GET', '/api/v1/inbox', { key });
    expect(restBefore.body.meta.rate_limit.used).toBe(1);
    expect(response.body.data.me.quota.used).toBe(2);
    expect(restAfter.body.meta.rate_limit.used).toBe(3);
  });

  it('answers RATE_LIMITED with 429 and Retry-After once the day is spent', async () => {
    const key = await service.createAccount('free');
    const batchSize = 10;
    for (let sent = 0; sent < FREE_DAILY_REQUESTS; sent += batchSize) {
      const batch = await Promise.all(
        Array.from({ length: batchSize }, () => gql(key, '{ me { id } }')),
      );
      expect(batch.map((r) => r.status)).toEqual(Array(batchSize).fill(200));
    }

    const response = await gql(key, '{ me { id } }');

    expect(response.status).toBe(429);
    expect(errorCodes(response.body)).toEqual(['RATE_LIMITED']);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(response.headers.get('x-ratelimit-remaining')).toBe('0');
  });
});
