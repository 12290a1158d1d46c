import { randomInt } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { request, type JsonResponse } from '../../helpers/http';
import { sendMail } from '../../helpers/mail';
import { startService, type TestService } from '../../helpers/service';

// The contract under test is api-v1.md: field names, shapes and status codes are exact.

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PRIMARY = 'dustmail.net';
const SPARE = 'spare.example';
const FREE_DAILY_REQUESTS = 100;
const FREE_TTL_MS = 30 * 60 * 1000;
const PREMIUM_TTL_MS = 365 * 24 * 60 * 60 * 1000;
const INBOX = '/api/v1/inbox';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

let service: TestService;
let accountSeq = 0;

beforeAll(async () => {
  service = await startService({ DUSTMAIL_DOMAINS: `${PRIMARY},${SPARE}` });
});

afterAll(async () => {
  await service?.stop();
});

interface CreatedAccount {
  email: string;
  key: string;
  keyId: string;
}

/** A new account through the CLI, keeping its email and key id (createAccount returns the key only). */
async function newAccount(plan: 'free' | 'premium'): Promise<CreatedAccount> {
  accountSeq += 1;
  const email = `rest${accountSeq}.${process.pid}.${Date.now()}@example.test`;
  const created = await service.cli<{ api_key: { id: string; key: string } }>(
    'account',
    'create',
    '--email',
    email,
    '--plan',
    plan,
  );
  return { email, key: created.api_key.key, keyId: created.api_key.id };
}

function call(method: string, path: string, key?: string, body?: unknown): Promise<JsonResponse> {
  return request(service.httpUrl, method, path, { key, body });
}

/** An inbox as the REST API shows it. */
interface InboxJson {
  id: string;
  email: string;
  domain: string;
  created_at: string;
  expires_at: string;
}

async function createInbox(key: string, body?: unknown): Promise<InboxJson> {
  const created = await call('POST', INBOX, key, body);
  expect(created.status).toBe(201);
  return created.body.data;
}

function errorBody(code: string, message: unknown = expect.any(String)) {
  return { success: false, error: { code, message } };
}

function wellFormedUnknownKey(): string {
  let random = '';
  for (let i = 0; i < 32; i += 1) random += BASE62[randomInt(BASE62.length)];
  return `dm_live_${random}`;
}

function nextUtcMidnight(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
}

/**
 * Today's request count of an account, read from the service's own database: once the quota
 * is spent the API shows no count (X-RateLimit-Remaining stays at 0 either way).
 */
async function storedUsage(accountEmail: string): Promise<number> {
  const result = await service.sql<{ count: number }>(
    `select u."count" from "usage" u join "account" a on a."id" = u."account_id"
     where a."email" = $1 and u."day" = $2`,
    [accountEmail, new Date().toISOString().slice(0, 10)],
  );
  return result[0]?.count ?? 0;
}

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

describe('GET /api/v1/inbox', () => {
  it("lists the account's inboxes newest first with their email counts", async () => {
    const { key } = await newAccount('free');
    const older = await createInbox(key);
    const newer = await createInbox(key);
    await sendMail(service.smtpPort, { to: older.email, subject: 'one', text: 'first' });

    const response = await call('GET', INBOX, key);

    expect(response.status).toBe(200);
    const listed = (inbox: InboxJson, count: number) => ({
      id: inbox.id,
      email: inbox.email,
      domain: PRIMARY,
      created_at: expect.stringMatching(ISO_MS),
      expires_at: expect.stringMatching(ISO_MS),
      email_count: count,
    });
    expect(response.body).toEqual({
      success: true,
      data: [listed(newer, 0), listed(older, 1)],
      meta: { total: 2, plan: 'free', rate_limit: { limit: 100, used: 3 } },
    });
  });

  it('returns an empty list for an account without inboxes', async () => {
    const { key } = await newAccount('premium');

    const response = await call('GET', INBOX, key);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      success: true,
      data: [],
      meta: { total: 0, plan: 'premium', rate_limit: { limit: null, used: 1 } },
    });
  });

  it('lists at most 50 inboxes while meta.total counts them all', async () => {
    const { key } = await newAccount('premium');
    for (let i = 0; i < 51; i += 1) await createInbox(key);

    const response = await call('GET', INBOX, key);

    expect(response.body.data).toHaveLength(50);
    expect(response.body.meta.total).toBe(51);
  });

  it("never lists another account's inboxes", async () => {
    const owner = await newAccount('free');
    const other = await newAccount('free');
    await createInbox(owner.key);

    const response = await call('GET', INBOX, other.key);

    expect(response.body.data).toEqual([]);
    expect(response.body.meta.total).toBe(0);
  });
});

describe('GET /api/v1/inbox/:id', () => {
  it('returns the inbox and its emails newest first with full content', async () => {
    const { key } = await newAccount('free');
    const inbox = await createInbox(key);
    await sendMail(service.smtpPort, {
      to: inbox.email,
      from: 'Alice <alice@example.com>',
      subject: 'Plain only',
      text: 'Just text here',
    });
    await sendMail(service.smtpPort, {
      to: inbox.email,
      from: 'bob@example.org',
      subject: 'HTML only',
      html: '<p>Only <b>markup</b> here</p>',
    });

    const response = await call('GET', `${INBOX}/${inbox.id}`, key);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      success: true,
      data: {
        inbox: {
          id: inbox.id,
          email: inbox.email,
          domain: PRIMARY,
          created_at: expect.stringMatching(ISO_MS),
          expires_at: expect.stringMatching(ISO_MS),
        },
        emails: [
          expect.objectContaining({
            id: expect.stringMatching(UUID),
            from: 'bob@example.org',
            subject: 'HTML only',
            text: expect.stringMatching(/Only\s+markup\s+here/i),
            // The final line break of a single-part body belongs to the body.
            html: expect.stringMatching(/^<p>Only <b>markup<\/b> here<\/p>\s*$/),
            received_at: expect.stringMatching(ISO_MS),
          }),
          expect.objectContaining({
            id: expect.stringMatching(UUID),
            from: 'alice@example.com',
            subject: 'Plain only',
            text: expect.stringContaining('Just text here'),
            html: null,
            received_at: expect.stringMatching(ISO_MS),
          }),
        ],
      },
      meta: { email_count: 2, rate_limit: { limit: 100, used: 2 } },
    });
  });

  it("answers 404 NOT_FOUND for another account's inbox", async () => {
    const owner = await newAccount('free');
    const other = await newAccount('free');
    const inbox = await createInbox(owner.key);

    const response = await call('GET', `${INBOX}/${inbox.id}`, other.key);

    expect(response.status).toBe(404);
    expect(response.body).toEqual(errorBody('NOT_FOUND', 'Inbox not found'));
  });

  it('answers 404 NOT_FOUND for an id that names no inbox', async () => {
    const { key } = await newAccount('free');

    const response = await call('GET', `${INBOX}/00000000-0000-4000-8000-000000000000`, key);

    expect(response.status).toBe(404);
    expect(response.body).toEqual(errorBody('NOT_FOUND', 'Inbox not found'));
  });

  it('answers 400 VALIDATION_ERROR for an id that is not a UUID', async () => {
    const { key } = await newAccount('free');

    const response = await call('GET', `${INBOX}/not-a-uuid`, key);

    expect(response.status).toBe(400);
    expect(response.body).toEqual(errorBody('VALIDATION_ERROR'));
  });
});

describe('DELETE /api/v1/inbox/:id', () => {
  it('deletes the inbox: it is 404 afterwards and gone from the list', async () => {
    const { key } = await newAccount('free');
    const kept = await createInbox(key);
    const inbox = await createInbox(key);

    const response = await call('DELETE', `${INBOX}/${inbox.id}`, key);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ success: true, message: 'Inbox deleted' });
    const read = await call('GET', `${INBOX}/${inbox.id}`, key);
    expect(read.status).toBe(404);
    expect(read.body).toEqual(errorBody('NOT_FOUND', 'Inbox not found'));
    const list = await call('GET', INBOX, key);
    expect(list.body.data.map((i: { id: string }) => i.id)).toEqual([kept.id]);
    expect(list.body.meta.total).toBe(1);
  });

  it('answers 404 NOT_FOUND for an inbox deleted before', async () => {
    const { key } = await newAccount('free');
    const inbox = await createInbox(key);
    await call('DELETE', `${INBOX}/${inbox.id}`, key);

    const response = await call('DELETE', `${INBOX}/${inbox.id}`, key);

    expect(response.status).toBe(404);
    expect(response.body).toEqual(errorBody('NOT_FOUND', 'Inbox not found'));
  });

  it("answers 404 NOT_FOUND for another account's inbox and leaves it alone", async () => {
    const owner = await newAccount('free');
    const other = await newAccount('free');
    const inbox = await createInbox(owner.key);

    const response = await call('DELETE', `${INBOX}/${inbox.id}`, other.key);

    expect(response.status).toBe(404);
    expect(response.body).toEqual(errorBody('NOT_FOUND', 'Inbox not found'));
    const read = await call('GET', `${INBOX}/${inbox.id}`, owner.key);
    expect(read.status).toBe(200);
    expect(read.body.data.inbox.id).toBe(inbox.id);
  });
});

describe('authentication', () => {
  it('accepts the key as Authorization: Bearer', async () => {
    const { key } = await newAccount('free');

    const response = await request(service.httpUrl, 'GET', INBOX, {
      headers: { authorization: `Bearer ${key}` },
    });

    expect(response.status).toBe(200);
    expect(response.body.success).toBe(true);
  });

  it('accepts the key as X-API-Key', async () => {
    const { key } = await newAccount('free');
    const inbox = await createInbox(key);

    const response = await request(service.httpUrl, 'GET', `${INBOX}/${inbox.id}`, {
      headers: { 'x-api-key': key },
    });

    expect(response.status).toBe(200);
    expect(response.body.data.inbox.id).toBe(inbox.id);
  });

  it.each([
    ['no key', {}],
    ['a malformed bearer key', { authorization: 'Bearer dm_live_short' }],
    ['a key without the dm_live_ prefix', { authorization: `Bearer ${'a'.repeat(40)}` }],
    ['a malformed X-API-Key', { 'x-api-key': 'not-a-key' }],
    ['an unknown well-formed key', { authorization: `Bearer ${wellFormedUnknownKey()}` }],
    ['an unknown well-formed X-API-Key', { 'x-api-key': wellFormedUnknownKey() }],
  ])('answers 401 UNAUTHORIZED with %s', async (_what, headers: Record<string, string>) => {
    const response = await request(service.httpUrl, 'GET', INBOX, { headers });

    expect(response.status).toBe(401);
    expect(response.body).toEqual(errorBody('UNAUTHORIZED'));
  });

  it('answers 401 UNAUTHORIZED on every route without a key', async () => {
    const { key } = await newAccount('free');
    const inbox = await createInbox(key);

    const responses = [
      await call('POST', INBOX),
      await call('GET', INBOX),
      await call('GET', `${INBOX}/${inbox.id}`),
      await call('DELETE', `${INBOX}/${inbox.id}`),
    ];

    expect(responses.map((r) => r.status)).toEqual([401, 401, 401, 401]);
    expect(responses.map((r) => r.body.error.code)).toEqual(Array(4).fill('UNAUTHORIZED'));
  });

  it('answers 401 UNAUTHORIZED for a revoked key', async () => {
    const account = await newAccount('free');
    expect((await call('GET', INBOX, account.key)).status).toBe(200);

    await service.cli('key', 'revoke', account.keyId);
    const response = await call('GET', INBOX, account.key);

    expect(response.status).toBe(401);
    expect(response.body).toEqual(errorBody('UNAUTHORIZED'));
  });

  it('answers 401 UNAUTHORIZED, not a body error, to a keyless request with a bad body', async () => {
    const response = await request(service.httpUrl, 'POST', INBOX, { body: '{"username":' });

    expect(response.status).toBe(401);
    expect(response.body).toEqual(errorBody('UNAUTHORIZED'));
  });
});

describe('request bodies', () => {
  it('answers 400 INVALID_JSON for an unparsable body', async () => {
    const { key } = await newAccount('free');

    const response = await request(service.httpUrl, 'POST', INBOX, { key, body: '{"username":' });

    expect(response.status).toBe(400);
    expect(response.body).toEqual(errorBody('INVALID_JSON'));
  });

  it('answers 415 UNSUPPORTED_MEDIA_TYPE for a body that is not JSON', async () => {
    const { key } = await newAccount('free');

    const response = await request(service.httpUrl, 'POST', INBOX, {
      key,
      body: 'username=someone',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });

    expect(response.status).toBe(415);
    expect(response.body).toEqual(errorBody('UNSUPPORTED_MEDIA_TYPE'));
  });

  it('answers 413 PAYLOAD_TOO_LARGE for a body over 64 KiB', async () => {
    const { key } = await newAccount('free');

    const response = await call('POST', INBOX, key, { padding: 'x'.repeat(65 * 1024) });

    expect(response.status).toBe(413);
    expect(response.body).toEqual(errorBody('PAYLOAD_TOO_LARGE'));
  });

  it('counts an authenticated request refused for its body against the quota', async () => {
    const account = await newAccount('free');

    await request(service.httpUrl, 'POST', INBOX, { key: account.key, body: '{"username":' });

    expect(await storedUsage(account.email)).toBe(1);
  });

  it('puts the X-RateLimit headers on an authenticated response refused for its body', async () => {
    const { key } = await newAccount('free');

    const response = await request(service.httpUrl, 'POST', INBOX, { key, body: '{"username":' });

    expect(response.status).toBe(400);
    expect(response.headers.get('x-ratelimit-limit')).toBe('100');
    expect(response.headers.get('x-ratelimit-remaining')).toBe('99');
  });
});

describe('faults', () => {
  it('answers 500 INTERNAL without saying what failed', async () => {
    const { key } = await newAccount('free');
    await service.sql('alter table "inbox" rename to "inbox_away"');

    let response: JsonResponse;
    try {
      response = await call('GET', INBOX, key);
    } finally {
      await service.sql('alter table "inbox_away" rename to "inbox"');
    }

    expect(response.status).toBe(500);
    expect(response.body).toEqual({
      success: false,
      error: { code: 'INTERNAL', message: 'Internal server error' },
    });
    expect((await call('GET', INBOX, key)).status).toBe(200);
  });
});

describe('routing', () => {
  it.each([
    ['PUT', INBOX, ['GET', 'HEAD', 'POST']],
    ['PATCH', `${INBOX}/00000000-0000-4000-8000-000000000000`, ['DELETE', 'GET', 'HEAD']],
  ])(
    'answers %s %s with 405 METHOD_NOT_ALLOWED and an Allow header',
    async (method, path, allowed) => {
      const { key } = await newAccount('free');

      const response = await call(method, path, key);

      expect(response.status).toBe(405);
      expect(response.body).toEqual(errorBody('METHOD_NOT_ALLOWED'));
      const allow = (response.headers.get('allow') ?? '').split(',').map((m) => m.trim());
      expect(allow.sort()).toEqual(allowed);
    },
  );

  it('answers HEAD like GET, without a body', async () => {
    const { key } = await newAccount('free');

    const response = await fetch(`${service.httpUrl}${INBOX}`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${key}` },
    });

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.text()).toBe('');
  });

  it.each(['/api/v1/inboxes', '/api/v2/inbox', `${INBOX}/a/b`])(
    'answers 404 NOT_FOUND in the error shape for %s',
    async (path) => {
      const { key } = await newAccount('free');

      const response = await call('GET', path, key);

      expect(response.status).toBe(404);
      expect(response.body).toEqual(errorBody('NOT_FOUND'));
    },
  );
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
