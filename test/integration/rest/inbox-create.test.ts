import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ISO_MS, PRIMARY, SPARE, UUID } from '../../helpers/api-values';
import { request } from '../../helpers/http';
import { errorBody, INBOX, type InboxJson, restApi } from '../../helpers/rest-api';
import { startService, type TestService } from '../../helpers/service';

// The contract under test is api-v1.md: field names, shapes and status codes are exact.

const FREE_TTL_MS = 30 * 60 * 1000;
const PREMIUM_TTL_MS = 365 * 24 * 60 * 60 * 1000;

let service: TestService;
const { call, createInbox, newAccount } = restApi(() => service);

beforeAll(async () => {
  service = await startService({ DUSTMAIL_DOMAINS: `${PRIMARY},${SPARE}` });
});

afterAll(async () => {
  await service?.stop();
});

describe('POST /api/v1/inbox', () => {
  it('creates a random inbox on the primary domain for a free key', async () => {
    const { key } = await newAccount('free');

    const response = await call('POST', INBOX, key);

    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      success: true,
      data: {
        id: expect.stringMatching(UUID),
        email: expect.stringMatching(/^[a-z]+\.[a-z]+\d{4}@dustmail\.net$/),
        domain: PRIMARY,
        created_at: expect.stringMatching(ISO_MS),
        expires_at: expect.stringMatching(ISO_MS),
      },
      meta: { plan: 'free', rate_limit: { limit: 100, used: 1 }, available_domains: [PRIMARY] },
    });
  });

  it('gives a free inbox 30 minutes and a premium inbox 365 days', async () => {
    const free = await newAccount('free');
    const premium = await newAccount('premium');

    const freeInbox = await createInbox(free.key);
    const premiumInbox = await createInbox(premium.key);

    const lifetime = (i: InboxJson) => Date.parse(i.expires_at) - Date.parse(i.created_at);
    expect(lifetime(freeInbox)).toBe(FREE_TTL_MS);
    expect(lifetime(premiumInbox)).toBe(PREMIUM_TTL_MS);
  });

  it('creates the chosen username, lower-cased, on a shared domain for a premium key', async () => {
    const { key } = await newAccount('premium');
    const username = `Chosen.Name_${process.pid}-${Date.now()}`;

    const response = await call('POST', INBOX, key, { username, domain: SPARE });

    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      success: true,
      data: {
        id: expect.stringMatching(UUID),
        email: `${username.toLowerCase()}@${SPARE}`,
        domain: SPARE,
        created_at: expect.stringMatching(ISO_MS),
        expires_at: expect.stringMatching(ISO_MS),
      },
      meta: {
        plan: 'premium',
        rate_limit: { limit: null, used: 1 },
        available_domains: [PRIMARY, SPARE],
      },
    });
  });

  it('accepts a username of 64 characters', async () => {
    const { key } = await newAccount('premium');
    const username = `a${Date.now()}`.padEnd(64, 'x');

    const response = await call('POST', INBOX, key, { username });

    expect(response.status).toBe(201);
    expect(response.body.data.email).toBe(`${username}@${PRIMARY}`);
  });

  it('accepts an empty body, a JSON null and an empty object alike', async () => {
    const { key } = await newAccount('free');

    const responses = [
      await request(service.httpUrl, 'POST', INBOX, { key, body: '' }),
      await call('POST', INBOX, key, null),
      await call('POST', INBOX, key, {}),
    ];

    expect(responses.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(responses.map((r) => r.body.data.domain)).toEqual([PRIMARY, PRIMARY, PRIMARY]);
  });

  it('answers 403 PREMIUM_REQUIRED when a free key asks for a username', async () => {
    const { key } = await newAccount('free');

    const response = await call('POST', INBOX, key, { username: `wanted${Date.now()}` });

    expect(response.status).toBe(403);
    expect(response.body).toEqual(errorBody('PREMIUM_REQUIRED'));
  });

  it('answers 403 PREMIUM_REQUIRED when a free key asks for a non-primary shared domain', async () => {
    const { key } = await newAccount('free');

    const response = await call('POST', INBOX, key, { domain: SPARE });

    expect(response.status).toBe(403);
    expect(response.body).toEqual(errorBody('PREMIUM_REQUIRED'));
  });

  it('accepts the primary domain named explicitly by a free key', async () => {
    const { key } = await newAccount('free');

    const response = await call('POST', INBOX, key, { domain: PRIMARY });

    expect(response.status).toBe(201);
    expect(response.body.data.domain).toBe(PRIMARY);
  });

  it('answers 422 DOMAIN_NOT_AVAILABLE for a domain that is not served', async () => {
    const { key } = await newAccount('premium');

    const response = await call('POST', INBOX, key, { domain: 'not-ours.example' });

    expect(response.status).toBe(422);
    expect(response.body).toEqual(errorBody('DOMAIN_NOT_AVAILABLE'));
  });

  it.each([
    ['a leading dot', '.lead'],
    ['a trailing dot', 'trail.'],
    ['a doubled dot', 'dou..ble'],
    ['a space', 'two words'],
    ['a plus sign', 'tag+suffix'],
    ['65 characters', 'x'.repeat(65)],
    ['no characters', ''],
  ])('answers 400 INVALID_USERNAME for a username with %s', async (_what, username) => {
    const { key } = await newAccount('premium');

    const response = await call('POST', INBOX, key, { username });

    expect(response.status).toBe(400);
    expect(response.body).toEqual(errorBody('INVALID_USERNAME'));
  });

  it.each([
    ['a numeric username', { username: 42 }],
    ['a domain that is not a string', { domain: ['dustmail.net'] }],
    ['an array body', [{ username: 'x' }]],
    ['a string body', '"inbox"'],
  ])('answers 400 VALIDATION_ERROR for %s', async (_what, body) => {
    const { key } = await newAccount('premium');

    const response = await call('POST', INBOX, key, body);

    expect(response.status).toBe(400);
    expect(response.body).toEqual(errorBody('VALIDATION_ERROR'));
  });

  it('answers 409 ADDRESS_TAKEN for an address that exists', async () => {
    const { key } = await newAccount('premium');
    const username = `taken${process.pid}x${Date.now()}`;
    await createInbox(key, { username });

    const response = await call('POST', INBOX, key, { username });

    expect(response.status).toBe(409);
    expect(response.body).toEqual(errorBody('ADDRESS_TAKEN'));
  });

  it('gives a custom address asked for twice at once to one request only', async () => {
    const first = await newAccount('premium');
    const second = await newAccount('premium');
    const username = `race${process.pid}x${Date.now()}`;

    const responses = await Promise.all([
      call('POST', INBOX, first.key, { username }),
      call('POST', INBOX, second.key, { username }),
    ]);

    expect(responses.map((r) => r.status).sort()).toEqual([201, 409]);
    const loser = responses.find((r) => r.status === 409);
    expect(loser?.body).toEqual(errorBody('ADDRESS_TAKEN'));
  });

  it('answers 409 ADDRESS_TAKEN for the address of a deleted inbox', async () => {
    const { key } = await newAccount('premium');
    const username = `reused${process.pid}x${Date.now()}`;
    const inbox = await createInbox(key, { username });
    expect((await call('DELETE', `${INBOX}/${inbox.id}`, key)).status).toBe(200);

    const response = await call('POST', INBOX, key, { username });

    expect(response.status).toBe(409);
    expect(response.body).toEqual(errorBody('ADDRESS_TAKEN'));
  });
});
