import type { FormattedExecutionResult, GraphQLFormattedError } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { errorCodes, graphqlApi } from '../../helpers/graphql-api';
import { request } from '../../helpers/http';
import { startService, type TestService } from '../../helpers/service';

// Requests built to break the GraphQL endpoint: each gets a 4xx answer, over HTTP and over
// graphql-ws, and the service goes on serving.

let service: TestService;
const { gql } = graphqlApi(() => service);

beforeAll(async () => {
  service = await startService();
});

afterAll(async () => {
  await service?.stop();
});

/** Nesting far past what graphql-js's recursive parser survives, yet well under 64 KiB. */
const DEEP = 8000;

const DEEP_DOCUMENTS: [string, string][] = [
  ['selection sets', `{${'me{'.repeat(DEEP)}id${'}'.repeat(DEEP + 1)}`],
  ['list values', `{inbox(id:${'['.repeat(DEEP)}1${']'.repeat(DEEP)}){id}}`],
  ['object values', `{inbox(id:${'{a:'.repeat(DEEP)}1${'}'.repeat(DEEP)}){id}}`],
  ['list types', `query($a:${'['.repeat(DEEP)}ID${']'.repeat(DEEP)}){me{id}}`],
];

/** The result of one operation over graphql-ws; one refused before it runs too. */
function overWs(key: string, query: string): Promise<FormattedExecutionResult> {
  const client: Client = createClient({
    url: `ws://127.0.0.1:${service.httpPort}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${key}` },
    retryAttempts: 0,
  });
  const result = new Promise<FormattedExecutionResult>((resolve, reject) => {
    client.subscribe(
      { query },
      {
        next: resolve,
        error: (err) =>
          Array.isArray(err) ? resolve({ errors: err as GraphQLFormattedError[] }) : reject(err),
        complete: () => {},
      },
    );
  });
  return result.finally(() => client.dispose());
}

describe('POST /graphql with a deeply nested document', () => {
  it.each(DEEP_DOCUMENTS)('answers 400 VALIDATION_ERROR for nested %s', async (_what, query) => {
    const key = await service.createAccount('free');

    const response = await gql(key, query);

    expect(response.status).toBe(400);
    expect(errorCodes(response.body)).toEqual(['VALIDATION_ERROR']);
    expect(response.body.errors?.[0]?.message).toMatch(/nests brackets deeper than \d+ levels/);
  });

  it('answers 400 VALIDATION_ERROR for a document of too many tokens', async () => {
    const key = await service.createAccount('free');
    const query = `{${'me{id} '.repeat(2000)}}`;

    const response = await gql(key, query);

    expect(response.status).toBe(400);
    expect(errorCodes(response.body)).toEqual(['VALIDATION_ERROR']);
    expect(response.body.errors?.[0]?.message).toMatch(/tokens/);
  });

  it('goes on serving after refusing one', async () => {
    const key = await service.createAccount('free');
    await gql(key, DEEP_DOCUMENTS[0]![1]);

    const response = await gql(key, '{ me { plan } }');

    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ me: { plan: 'FREE' } });
  });
});

describe('operation over graphql-ws with a deeply nested document', () => {
  it.each(DEEP_DOCUMENTS)(
    'is refused with VALIDATION_ERROR for nested %s',
    async (_what, query) => {
      const key = await service.createAccount('free');

      const result = await overWs(key, query);

      expect(result.errors?.map((e) => e.extensions?.['code'])).toEqual(['VALIDATION_ERROR']);
      expect(result.errors?.[0]?.message).toMatch(/nests brackets deeper than \d+ levels/);
    },
  );
});

describe('a graphql-ws message over the body limit', () => {
  it('closes the socket with 1009 and leaves the service serving', async () => {
    const key = await service.createAccount('free');
    const socket = new WebSocket(
      `ws://127.0.0.1:${service.httpPort}/graphql`,
      'graphql-transport-ws',
    );
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const closed = new Promise<number>((resolve) => socket.once('close', resolve));

    const payload = { authorization: `Bearer ${key}`, padding: 'x'.repeat(128 * 1024) };
    socket.send(JSON.stringify({ type: 'connection_init', payload }));

    expect(await closed).toBe(1009);
    const response = await gql(key, '{ me { plan } }');
    expect(response.body.data).toEqual({ me: { plan: 'FREE' } });
  });
});

describe('GET /graphql', () => {
  it.each([
    ['variables', 'variables=%7B'],
    ['extensions', 'extensions=%5B'],
  ])('answers 400 VALIDATION_ERROR for %s that are not JSON', async (_what, param) => {
    const key = await service.createAccount('free');

    const response = await request(
      service.httpUrl,
      'GET',
      `/graphql?query=%7Bme%7Bid%7D%7D&${param}`,
      {
        key,
        headers: { accept: 'application/json' },
      },
    );

    expect(response.status).toBe(400);
    expect(errorCodes(response.body)).toEqual(['VALIDATION_ERROR']);
    expect(response.body.errors[0].message).toMatch(/not valid JSON/);
  });

  it('runs a query whose variables are JSON', async () => {
    const key = await service.createAccount('free');
    const query = encodeURIComponent('query ($skip: Boolean!) { me { plan @skip(if: $skip) } }');

    const response = await request(
      service.httpUrl,
      'GET',
      `/graphql?query=${query}&variables=${encodeURIComponent('{"skip":false}')}`,
      { key, headers: { accept: 'application/json' } },
    );

    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ me: { plan: 'FREE' } });
  });
});

describe('POST /graphql with a form body', () => {
  it('answers 400 VALIDATION_ERROR for variables that are not JSON', async () => {
    const key = await service.createAccount('free');

    const response = await request(service.httpUrl, 'POST', '/graphql', {
      key,
      body: 'query=%7Bme%7Bid%7D%7D&variables=%7B',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });

    expect(response.status).toBe(400);
    expect(errorCodes(response.body)).toEqual(['VALIDATION_ERROR']);
  });
});
