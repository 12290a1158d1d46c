import { randomInt } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { PRIMARY, SPARE } from '../../helpers/api-values';
import { request, type JsonResponse } from '../../helpers/http';
import { errorBody, INBOX, restApi } from '../../helpers/rest-api';
import { startService, type TestService } from '../../helpers/service';

// The contract under test is api-v1.md: field names, shapes and status codes are exact.

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

let service: TestService;
const { call, createInbox, newAccount, storedUsage } = restApi(() => service);

beforeAll(async () => {
  service = await startService({ DUSTMAIL_DOMAINS: `${PRIMARY},${SPARE}` });
});

afterAll(async () => {
  await service?.stop();
});

function wellFormedUnknownKey(): string {
  let random = '';
  for (let i = 0; i < 32; i += 1) random += BASE62[randomInt(BASE62.length)];
  return `dm_live_${random}`;
}

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
